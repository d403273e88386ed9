using Coupons.Cli.Postmortem;

namespace Coupons.UnitTests.Cli;

public sealed class AlertHistoryTests
{
    private static readonly DateTimeOffset From = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(1);

    private static RangeSeries Firing(string alert, params (int From, int To)[] runs) => new(
        new Dictionary<string, string> { ["alertname"] = alert, ["severity"] = "P1" },
        [.. runs.SelectMany(r => Enumerable.Range(r.From, r.To - r.From + 1)).Select(s => (From.AddSeconds(s), 1.0))]);

    [Fact]
    public void An_alert_without_a_value_at_the_last_step_resolved_one_step_after_its_last_value()
    {
        var firings = AlertHistory.Firings([Firing("CouponsRedisDown", (40, 58))], From, From.AddSeconds(65), From.AddSeconds(60.4), Step);

        var firing = Assert.Single(firings);
        Assert.Equal(From.AddSeconds(40), firing.FiredAt);
        Assert.Equal(From.AddSeconds(59), firing.ResolvedAt);
    }

    [Fact]
    public void An_alert_with_a_value_at_the_last_step_is_still_firing()
    {
        var firings = AlertHistory.Firings([Firing("CouponsRedisDown", (40, 60))], From, From.AddSeconds(65), From.AddSeconds(60.4), Step);

        Assert.Null(Assert.Single(firings).ResolvedAt);
    }

    [Fact]
    public void A_gap_splits_two_firings_and_one_that_began_after_the_window_is_left_out()
    {
        var firings = AlertHistory.Firings([Firing("CouponsKafkaUnreachable", (10, 20), (30, 35), (70, 80))], From, From.AddSeconds(60), From.AddSeconds(100), Step);

        Assert.Equal([(From.AddSeconds(10), From.AddSeconds(21)), (From.AddSeconds(30), From.AddSeconds(36))],
            firings.Select(f => (f.FiredAt, f.ResolvedAt!.Value)).ToList());
    }
}

public sealed class CounterTests
{
    private static readonly DateTimeOffset From = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    private static RangeSeries Series(params (int At, double Value)[] samples) =>
        new(new Dictionary<string, string>(), [.. samples.Select(s => (From.AddSeconds(s.At), s.Value))]);

    [Fact]
    public void A_counter_seen_from_the_start_counts_its_rise() =>
        Assert.Equal(30, ImpactReader.Counted(Series((0, 100), (5, 110), (10, 130)), From));

    [Fact]
    public void A_counter_born_inside_the_window_counts_from_zero() =>
        Assert.Equal(130, ImpactReader.Counted(Series((20, 50), (25, 110), (30, 130)), From));

    [Fact]
    public void A_restart_counts_what_the_new_process_counted() =>
        Assert.Equal(10 + 7, ImpactReader.Counted(Series((0, 100), (5, 110), (10, 7)), From));
}

public sealed class AlertFiringBeforeTests
{
    private static readonly DateTimeOffset From = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_alert_firing_when_the_window_opens_is_marked_so_and_not_taken_as_a_detection()
    {
        var series = new RangeSeries(new Dictionary<string, string> { ["alertname"] = "CouponsIssuanceErrorBudgetBurnFast", ["severity"] = "P1" },
            [.. Enumerable.Range(0, 30).Select(s => (From.AddSeconds(s), 1.0))]);

        var firing = Assert.Single(AlertHistory.Firings([series], From, From.AddSeconds(60), From.AddSeconds(60), TimeSpan.FromSeconds(1)));

        Assert.True(firing.FiringBefore);
        Assert.Equal(
            ["CouponsIssuanceErrorBudgetBurnFast (P1) already firing when the window opened", "CouponsIssuanceErrorBudgetBurnFast (P1) resolved"],
            AlertHistory.Timeline([firing]).Select(e => e.What));
    }
}
