using Coupons.Contracts;
using Coupons.Cli;
using Coupons.Cli.Status;

namespace Coupons.UnitTests.Cli;

public sealed class TriageTests
{
    private static readonly Replica First = new(new Uri("http://app-1:8081"), new Uri("http://app-1:9081"));
    private static readonly Replica Second = new(new Uri("http://app-2:8081"), new Uri("http://app-2:9081"));

    private static ReplicaSignals HealthyReplica(Replica replica) => new()
    {
        Replica = replica,
        Dependencies = [new("db", true, null), new("redis", true, null), new("kafka", true, null), new("consumer", true, null)],
        Circuits = new Dictionary<string, int> { ["redis"] = 0, ["kafka"] = 0 },
        LagByPartition = new Dictionary<string, long> { ["0"] = 0, ["1"] = 0 },
        Parked = 0,
        PausesViewAge = 0.2,
    };

    private static Signals Healthy() => new()
    {
        At = DateTimeOffset.UtcNow,
        Replicas = [HealthyReplica(First)],
        DeadLetters = 0,
        NewDeadLetters = 0,
    };

    /// <summary>
    /// Every runbook a verdict can send the on-call to is a page in docs/runbooks (status prints its path). A review of
    /// the runbooks (issue 22) found "CouponsConsumerPaused", for which no page exists.
    /// </summary>
    [Fact]
    public void Every_runbook_a_verdict_names_exists()
    {
        var source = File.ReadAllText(RepositoryFiles.Path("src", "Coupons.Cli", "Status", "Triage.cs"));
        var named = System.Text.RegularExpressions.Regex.Matches(source, "\"(Coupons[A-Za-z]+)\"").Select(m => m.Groups[1].Value).Distinct().ToList();

        Assert.NotEmpty(named);
        Assert.All(named, runbook => Assert.True(File.Exists(RepositoryFiles.Path("docs", "runbooks", runbook + ".md")), $"docs/runbooks/{runbook}.md does not exist"));
    }

    private static Signals WithReplica(Func<ReplicaSignals, ReplicaSignals> change) => Healthy() with { Replicas = [change(HealthyReplica(First))] };

    [Fact]
    public void Nothing_wrong_is_ok_with_exit_code_zero_and_still_says_what_was_not_looked_at()
    {
        var verdict = Triage.Assess(Healthy());
        Assert.Equal(Severity.None, verdict.Severity);
        Assert.Equal(0, verdict.ExitCode);
        Assert.Empty(verdict.Findings);
        Assert.Contains(verdict.NotLookedAt, gap => gap.Contains("Alertmanager not asked", StringComparison.Ordinal));
        Assert.Contains(verdict.NotLookedAt, gap => gap.Contains("replicas not given with --url (1 given)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("db", Severity.P0, "CouponsMySQLDown", 10)]
    [InlineData("redis", Severity.P1, "CouponsRedisDown", 11)]
    [InlineData("kafka", Severity.P1, "CouponsKafkaUnreachable", 11)]
    [InlineData("consumer", Severity.P2, "CouponsConsumerLagHigh", 12)]
    public void A_dependency_down_takes_the_severity_and_runbook_of_its_alert(string dependency, Severity severity, string runbook, int exitCode)
    {
        var signals = WithReplica(r => r with { Dependencies = [.. r.Dependencies.Select(d => d.Name == dependency ? d with { Up = false } : d)] });
        var verdict = Triage.Assess(signals);
        Assert.Equal((severity, runbook, exitCode), (verdict.Severity, verdict.Runbook, verdict.ExitCode));
        Assert.Contains(dependency, verdict.Findings[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_app_that_does_not_answer_is_p0_app_down()
    {
        var verdict = Triage.Assess(WithReplica(r => r with { AppUnreachable = "connection refused", Dependencies = [], MetricsError = "connection refused" }));
        Assert.Equal((Severity.P0, "CouponsAppDown"), (verdict.Severity, verdict.Runbook));
        Assert.Single(verdict.Findings); // its unreadable /metrics is explained by it being down
    }

    [Fact]
    public void The_most_urgent_finding_decides_and_every_finding_is_listed_most_urgent_first()
    {
        var signals = WithReplica(r => r with
        {
            LagByPartition = new Dictionary<string, long> { ["0"] = 800, ["1"] = 700 },
            ConsumerPaused = true,
            Dependencies = [.. r.Dependencies.Select(d => d.Name == "redis" ? d with { Up = false } : d)],
        }) with { NewDeadLetters = 3, DeadLetters = 3 };
        var verdict = Triage.Assess(signals);
        Assert.Equal(Severity.P1, verdict.Severity);
        Assert.Equal("CouponsRedisDown", verdict.Runbook);
        Assert.Equal(["CouponsRedisDown", "CouponsConsumerLagHigh", "CouponsDeadLetters", "CouponsConsumerPaused"],
            verdict.Findings.Select(f => f.Runbook));
    }

    [Fact]
    public void Lag_at_the_alert_threshold_is_not_a_finding_and_above_it_is()
    {
        Assert.Empty(Triage.Assess(WithReplica(r => r with { LagByPartition = new Dictionary<string, long> { ["0"] = AlertRules.ConsumerLagThreshold } })).Findings);
        Assert.Equal(Severity.P2, Triage.Assess(WithReplica(r => r with { LagByPartition = new Dictionary<string, long> { ["0"] = AlertRules.ConsumerLagThreshold + 1 } })).Severity);
    }

    [Fact]
    public void Two_replicas_reporting_the_groups_lag_of_600_are_a_lag_of_600_not_1200()
    {
        var lag = new Dictionary<string, long> { ["0"] = 300, ["1"] = 300 };
        var signals = Healthy() with { Replicas = [HealthyReplica(First) with { LagByPartition = lag }, HealthyReplica(Second) with { LagByPartition = lag }] };
        Assert.Equal(600, signals.ConsumerLag);
        Assert.Empty(Triage.Assess(signals).Findings);
    }

    [Fact]
    public void An_inconsistent_coupon_with_nothing_in_flight_is_drift_but_one_still_draining_is_not()
    {
        var draining = new CouponState(1, "a", Consistent: false, InFlight: 5, Parked: 0, []);
        var drifted = new CouponState(2, "b", Consistent: false, InFlight: 0, Parked: 0, ["gate says 3 left, database 2"]);
        var verdict = Triage.Assess(Healthy() with { Coupons = [draining, drifted] });
        var finding = Assert.Single(verdict.Findings);
        Assert.Equal("CouponsReconciliationDrift", finding.Runbook);
        Assert.Contains("coupon 2", finding.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_firing_alert_counts_with_its_own_severity()
    {
        var verdict = Triage.Assess(Healthy() with { AlertmanagerAsked = true, Alerts = [new FiringAlert("CouponsHighLatency", "P2", null, DateTimeOffset.UtcNow)] });
        Assert.Equal((Severity.P2, "CouponsHighLatency"), (verdict.Severity, verdict.Runbook));
    }

    // Issue 27 item 1: a source status could not read is a finding of its own, never silence (all three failed on main
    // at f830887: "status said None (exit 0) with /metrics unreadable", and the same for the admin API and
    // Alertmanager).

    [Fact]
    public void Metrics_it_could_not_read_with_no_other_view_of_the_pipeline_is_p0()
    {
        var verdict = Triage.Assess(WithReplica(r => r with { MetricsError = "connection refused" }));
        Assert.Equal((Severity.P0, Triage.BlindRunbook), (verdict.Severity, verdict.Runbook));
        Assert.Contains("/metrics of http://app-1:9081/ unreadable", verdict.Findings[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Metrics_it_could_not_read_while_alertmanager_answers_is_p2()
    {
        var verdict = Triage.Assess(WithReplica(r => r with { MetricsError = "connection refused" }) with { AlertmanagerAsked = true });
        Assert.Equal((Severity.P2, Triage.BlindRunbook), (verdict.Severity, verdict.Runbook));
    }

    [Fact]
    public void An_admin_api_it_could_not_read_is_a_finding()
    {
        var verdict = Triage.Assess(Healthy() with { AdminError = "401 Unauthorized", DeadLetters = null, NewDeadLetters = null });
        Assert.Equal((Severity.P2, Triage.BlindRunbook), (verdict.Severity, verdict.Runbook));
        Assert.Contains("admin API unreadable (401 Unauthorized)", verdict.Findings[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alertmanager_it_could_not_read_is_a_finding()
    {
        var verdict = Triage.Assess(Healthy() with { AlertmanagerAsked = true, AlertmanagerError = "connection refused" });
        Assert.Equal((Severity.P2, Triage.BlindRunbook), (verdict.Severity, verdict.Runbook));
    }

    [Fact]
    public void Nothing_readable_about_the_pipeline_is_p0_even_when_the_health_check_answers()
    {
        var verdict = Triage.Assess(WithReplica(r => r with { MetricsError = "404" }) with
        {
            AdminError = "connection refused", AlertmanagerAsked = true, AlertmanagerError = "connection refused",
        });
        Assert.Equal(Severity.P0, verdict.Severity);
        Assert.Equal(3, verdict.Findings.Count(f => f.Runbook == Triage.BlindRunbook));
    }

    [Fact]
    public void A_second_replica_that_is_down_is_p0_although_the_first_is_healthy()
    {
        var signals = Healthy() with { Replicas = [HealthyReplica(First), new ReplicaSignals { Replica = Second, AppUnreachable = "connection refused", MetricsError = "connection refused" }] };
        var verdict = Triage.Assess(signals);
        Assert.Equal((Severity.P0, "CouponsAppDown"), (verdict.Severity, verdict.Runbook));
        Assert.Contains("http://app-2:8081/", verdict.Findings[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dependency_down_on_one_replica_of_two_names_that_replica()
    {
        var broken = HealthyReplica(Second) with { Dependencies = [new("db", false, "timeout"), new("redis", true, null)] };
        var verdict = Triage.Assess(Healthy() with { Replicas = [HealthyReplica(First), broken] });
        Assert.Equal((Severity.P0, "CouponsMySQLDown"), (verdict.Severity, verdict.Runbook));
        Assert.Contains("db is DOWN on the readiness check of http://app-2:8081/: timeout", verdict.Findings[0].Reason, StringComparison.Ordinal);
    }

    // Issue 27 item 2: the alert rule's definitions, not status's own.

    [Fact]
    public void Dead_letters_older_than_the_alerts_window_are_not_a_finding()
    {
        Assert.Equal(Severity.None, Triage.Assess(Healthy() with { DeadLetters = 7, NewDeadLetters = 0 }).Severity);
        Assert.Equal(Severity.P2, Triage.Assess(Healthy() with { DeadLetters = 7, NewDeadLetters = 1 }).Severity);
    }

    [Fact]
    public void A_parked_count_or_lag_no_replica_exports_is_unknown_and_a_finding_not_none()
    {
        var noParked = WithReplica(r => r with { Parked = null });
        Assert.Null(noParked.Parked);
        Assert.Equal((Severity.P2, Triage.BlindRunbook), (Triage.Assess(noParked).Severity, Triage.Assess(noParked).Runbook));
        var noLag = WithReplica(r => r with { LagByPartition = new Dictionary<string, long>() });
        Assert.Contains("coupons_consumer_lag", Assert.Single(Triage.Assess(noLag).Findings).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_coupon_whose_consistency_could_not_be_read_is_a_finding()
    {
        var signals = Healthy() with { Coupons = [new CouponState(7, "a", false, 0, 0, [], "503 REDIS_UNAVAILABLE")], OpenCoupons = 1 };
        var finding = Assert.Single(Triage.Assess(signals).Findings);
        Assert.Equal(Triage.BlindRunbook, finding.Runbook);
        Assert.Contains("coupon 7", finding.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_coupons_beyond_those_checked_are_said_not_looked_at()
    {
        var checkedOnes = Enumerable.Range(1, 20).Select(i => new CouponState(i, "c", true, 0, 0, [])).ToList();
        var verdict = Triage.Assess(Healthy() with { Coupons = checkedOnes, OpenCoupons = 23 });
        Assert.Equal(Severity.None, verdict.Severity);
        Assert.Contains(verdict.NotLookedAt, gap => gap.Contains("3 older open coupons", StringComparison.Ordinal));
    }

    /// <summary>
    /// Issue 23: a pause is deliberate, but one nobody resumed is an outage nobody sees; every pause in force is a
    /// finding with the kill switch's runbook, and pauses that could not be read are not "none".
    /// </summary>
    [Fact]
    public void Every_pause_in_force_is_a_finding_and_pauses_not_read_are_not_none()
    {
        var oneSale = new SalePauseView { CouponId = 11, PausedAt = DateTime.UnixEpoch, PausedBy = "ops", Reason = "redis latency" };
        var everySale = oneSale with { CouponId = null };

        var one = Triage.Assess(Healthy() with { Pauses = [oneSale] });
        var all = Triage.Assess(Healthy() with { Pauses = [oneSale, everySale] });
        var unread = Triage.Assess(Healthy() with { PausesError = "404 NOT_FOUND" });

        Assert.Equal((Severity.P3, Triage.SalePausedRunbook), (one.Severity, one.Runbook));
        Assert.Contains("coupon 11", one.Findings.Single().Reason, StringComparison.Ordinal);
        Assert.Contains("redis latency", one.Findings.Single().Reason, StringComparison.Ordinal);
        Assert.Equal((Severity.P2, Triage.EverySalePausedRunbook, 2), (all.Severity, all.Runbook, all.Findings.Count));
        Assert.StartsWith("EVERY sale", all.Findings[0].Reason, StringComparison.Ordinal);
        Assert.Equal((Severity.P2, Triage.BlindRunbook), (unread.Severity, unread.Runbook));
        Assert.Equal(Severity.None, Triage.Assess(Healthy()).Severity);
    }

    /// <summary>
    /// Hostile review (issue 23): pauses were read after the dead letters and the open coupons, so a Kafka outage (a
    /// reason to pause) hid them, and the admin API's error replaced them. They are read first, on their own, and
    /// stay findings whatever else failed.
    /// </summary>
    [Fact]
    public void Pauses_stay_findings_when_the_rest_of_the_admin_api_could_not_be_read()
    {
        var everySale = new SalePauseView { PausedAt = DateTime.UnixEpoch, PausedBy = "ops", Reason = "kafka refusing writes" };

        var assessed = Triage.Assess(Healthy() with { AdminError = "dead letters: no answer within 5 s", Pauses = [everySale] });

        Assert.Contains(assessed.Findings, f => f.Runbook == Triage.EverySalePausedRunbook);
        Assert.Contains(assessed.Findings, f => f.Runbook == Triage.BlindRunbook);
    }

    /// <summary>
    /// Hostile review (issue 23): a replica cut off from the database keeps its last view of the pauses and sells a
    /// sale paused since; one of an older release ignores pauses. Status names both.
    /// </summary>
    [Fact]
    public void A_replica_that_may_not_honour_the_pauses_is_named()
    {
        var stale = Triage.Assess(Healthy() with { Replicas = [HealthyReplica(First) with { PausesViewAge = 42 }, HealthyReplica(Second)] });
        var older = Triage.Assess(Healthy() with { Replicas = [HealthyReplica(First) with { PausesViewAge = null }] });

        var finding = Assert.Single(stale.Findings);
        Assert.Equal((Severity.P2, Triage.SalePausedRunbook), (finding.Severity, finding.Runbook));
        Assert.Contains("app-1:9081", finding.Reason, StringComparison.Ordinal);
        Assert.Equal(Severity.P3, Assert.Single(older.Findings).Severity);
    }
}
