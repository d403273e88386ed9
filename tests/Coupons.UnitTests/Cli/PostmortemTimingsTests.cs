using Coupons.Cli.Drills;
using Coupons.Cli.Postmortem;

namespace Coupons.UnitTests.Cli;

/// <summary>
/// Issue 27 item 6: the post-mortem's numbers in the cases that made them wrong on main at f830887 — a P3 judged
/// against P2 targets, detection measured from --from, an open P0 "resolved" by a resolved P2, a restart hidden
/// between two scrapes, a local time printed as UTC, a drill's own setup counted as the response.
/// </summary>
public sealed class PostmortemTimingsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 3, 0, 0, TimeSpan.Zero);

    private static AlertHistory.Firing Firing(string alert, string severity, int firedAt, int? resolvedAt) =>
        new(alert, severity, T0.AddSeconds(firedAt), resolvedAt is { } r ? T0.AddSeconds(r) : null);

    private static Timing Of(IReadOnlyList<Timing> timings, string what) => timings.Single(t => t.What.StartsWith(what, StringComparison.Ordinal));

    [Fact]
    public void A_p3_incident_is_judged_against_the_p3_targets()
    {
        var timings = PostmortemBuilder.Timings("P3", (T0, "given"), [Firing("CouponsCpuHigh", "P3", 1800, 2400)], [], null);
        Assert.Equal(TimeSpan.FromHours(1).TotalSeconds, Of(timings, "detect").TargetSeconds);
        Assert.True(Of(timings, "detect").WithinTarget); // 30 min: within P3's hour, outside P2's 15 min
    }

    [Fact]
    public void Without_a_known_start_detection_is_not_measured_from_the_windows_opening()
    {
        var start = PostmortemBuilder.Start(null, null, firstFailure: null);
        var timings = PostmortemBuilder.Timings("P1", start, [Firing("CouponsRedisDown", "P1", 600, 900)], [], null);
        Assert.Null(Of(timings, "detect").Seconds);
        Assert.Contains("unknown", Of(timings, "detect").Source, StringComparison.Ordinal);

        var fromFailures = PostmortemBuilder.Start(null, null, new ImpactReader.FirstFailure(T0.AddSeconds(570), BeforeWindow: false));
        Assert.Equal(30, Of(PostmortemBuilder.Timings("P1", fromFailures, [Firing("CouponsRedisDown", "P1", 600, 900)], [], null), "detect").Seconds);

        var underWay = PostmortemBuilder.Start(null, null, new ImpactReader.FirstFailure(null, BeforeWindow: true));
        Assert.Null(underWay.At);
        Assert.Contains("already being counted when the window opened", underWay.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void With_no_known_start_the_response_is_still_timed_from_the_first_alert()
    {
        AuditAction[] actions = [new(T0.AddSeconds(700), "alice", "POST /api/admin/consumer/pause", null, 200)];
        var respond = Of(PostmortemBuilder.Timings("P2", (null, "unknown"), [Firing("CouponsConsumerLagHigh", "P2", 600, 900)], actions, null), "respond");
        Assert.Equal(100, respond.Seconds);
    }

    [Fact]
    public void An_alert_that_fired_before_the_first_failed_answer_detected_it_at_once()
    {
        var detect = Of(PostmortemBuilder.Timings("P1", (T0.AddSeconds(100), "first failure"), [Firing("CouponsRedisDown", "P1", 40, 300)], [], null), "detect");
        Assert.Equal(0, detect.Seconds);
    }

    [Fact]
    public void Setting_up_users_and_coupons_is_not_a_response()
    {
        AuditAction[] actions = [new(T0.AddSeconds(50), "business", "POST /api/admin/users", null, 200), new(T0.AddSeconds(60), "business", "POST /api/admin/coupons", 9, 201)];
        Assert.Null(Of(PostmortemBuilder.Timings("P1", (T0, "given"), [Firing("CouponsRedisDown", "P1", 40, 200)], actions, null), "respond").Seconds);
    }

    [Fact]
    public void An_alert_already_firing_when_the_incident_began_is_not_its_detection()
    {
        var before = Firing("CouponsHighLatency", "P2", 0, null) with { FiringBefore = true };
        var timings = PostmortemBuilder.Timings("P1", (T0.AddSeconds(60), "given"), [before, Firing("CouponsRedisDown", "P1", 120, 300)], [], null);
        Assert.Equal(60, Of(timings, "detect").Seconds);
    }

    [Fact]
    public void A_resolved_p2_does_not_resolve_an_open_p0()
    {
        var timings = PostmortemBuilder.Timings("P0", (T0, "given"), [Firing("CouponsMySQLDown", "P0", 30, null), Firing("CouponsHighLatency", "P2", 60, 600)], [], null);
        var resolve = Of(timings, "resolve");
        Assert.Null(resolve.Seconds);
        Assert.Contains("CouponsMySQLDown still firing", resolve.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void The_drills_own_writes_are_not_the_response()
    {
        var drill = DrillReportSample() with { Actor = "drill-key" };
        AuditAction[] actions = [new(T0.AddSeconds(50), "drill-key", "POST /api/admin/coupons", 7, 201), new(T0.AddSeconds(400), "alice", "POST /api/admin/coupons/{couponId}/reconcile", 7, 200)];
        var respond = Of(PostmortemBuilder.Timings("P1", (T0, "drill"), [Firing("CouponsRedisDown", "P1", 40, 200)], actions, drill), "respond");
        Assert.Equal(360, respond.Seconds);
        Assert.StartsWith("alice:", respond.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void A_window_given_in_local_time_is_read_as_that_moment_in_utc() =>
        Assert.Equal(new DateTimeOffset(2026, 12, 5, 18, 0, 0, TimeSpan.Zero), PostmortemCommand.Time("2026-12-06T03:00+09:00"));

    private static RangeSeries Series(params (int At, double Value)[] samples) =>
        new(new Dictionary<string, string>(), [.. samples.Select(s => (T0.AddSeconds(s.At), s.Value))]);

    [Fact]
    public void A_restart_that_passed_the_old_value_between_two_scrapes_is_counted_from_zero()
    {
        // 100 before the window, 110 at +10 s; the process restarts at +12 s and has counted 150 by the next scrape.
        var series = Series((-5, 100), (10, 110), (25, 150));
        Assert.Equal(10 + 40, ImpactReader.Counted(series, T0)); // what a counter alone shows
        Assert.Equal(10 + 150, ImpactReader.Counted(series, T0, [T0.AddSeconds(-3600), T0.AddSeconds(12)]));
    }

    [Fact]
    public void The_value_at_the_windows_opening_is_the_last_scrape_before_it_not_a_step_after()
    {
        // Scraped every 15 s: the window opens at 0, between the scrapes at -5 and +10.
        Assert.Equal(30, ImpactReader.Counted(Series((-20, 90), (-5, 100), (10, 110), (25, 130)), T0));
    }

    [Fact]
    public void The_first_failure_is_timed_at_the_scrape_before_the_one_that_counted_it()
    {
        var failures = new[] { Series((-90, 4), (5, 4), (20, 9)), Series((35, 2)) };
        Assert.Equal(new ImpactReader.FirstFailure(T0.AddSeconds(5), false), ImpactReader.FirstRise(failures, T0));
    }

    [Fact]
    public void Failures_still_rising_when_the_window_opens_leave_the_start_unknown() =>
        Assert.Equal(new ImpactReader.FirstFailure(null, true), ImpactReader.FirstRise([Series((-40, 4), (-25, 9), (5, 12))], T0));

    [Fact]
    public void A_nan_sample_is_skipped_not_a_reason_to_count_nothing() =>
        Assert.Equal(30, ImpactReader.Counted(Series((-5, 100), (10, double.NaN), (25, 130)), T0));

    private static DrillReport DrillReportSample() => new("redis-down", "test", "Redis stopped", true, [], T0, T0, T0.AddSeconds(60), T0.AddSeconds(120),
        "CouponsRedisDown", "P1", 40, 300, 20, 10, T0.AddSeconds(70), 60, 7, LoadCounters.From([]), [], []);
}
