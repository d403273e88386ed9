using Coupons.Cli.Status;

namespace Coupons.UnitTests.Cli;

public sealed class TriageTests
{
    private static Signals Healthy() => new()
    {
        At = DateTimeOffset.UtcNow,
        Dependencies = [new("db", true, null), new("redis", true, null), new("kafka", true, null), new("consumer", true, null)],
        Circuits = new Dictionary<string, int> { ["redis"] = 0, ["kafka"] = 0 },
        DeadLetters = 0,
    };

    [Fact]
    public void Nothing_wrong_is_ok_with_exit_code_zero()
    {
        var verdict = Triage.Assess(Healthy());
        Assert.Equal(Severity.None, verdict.Severity);
        Assert.Equal(0, verdict.ExitCode);
        Assert.Empty(verdict.Findings);
    }

    [Theory]
    [InlineData("db", Severity.P0, "CouponsMySQLDown", 10)]
    [InlineData("redis", Severity.P1, "CouponsRedisDown", 11)]
    [InlineData("kafka", Severity.P1, "CouponsKafkaUnreachable", 11)]
    [InlineData("consumer", Severity.P2, "CouponsConsumerLagHigh", 12)]
    public void A_dependency_down_takes_the_severity_and_runbook_of_its_alert(string dependency, Severity severity, string runbook, int exitCode)
    {
        var signals = Healthy() with
        {
            Dependencies = [.. Healthy().Dependencies.Select(d => d.Name == dependency ? d with { Up = false } : d)],
        };
        var verdict = Triage.Assess(signals);
        Assert.Equal((severity, runbook, exitCode), (verdict.Severity, verdict.Runbook, verdict.ExitCode));
        Assert.Contains(dependency, verdict.Findings[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_app_that_does_not_answer_is_p0_app_down()
    {
        var verdict = Triage.Assess(Healthy() with { AppUnreachable = "connection refused", Dependencies = [] });
        Assert.Equal((Severity.P0, "CouponsAppDown"), (verdict.Severity, verdict.Runbook));
    }

    [Fact]
    public void The_most_urgent_finding_decides_and_every_finding_is_listed_most_urgent_first()
    {
        var signals = Healthy() with
        {
            LagByPartition = new Dictionary<string, long> { ["0"] = 800, ["1"] = 700 },
            DeadLetters = 3,
            ConsumerPaused = true,
            Dependencies = [.. Healthy().Dependencies.Select(d => d.Name == "redis" ? d with { Up = false } : d)],
        };
        var verdict = Triage.Assess(signals);
        Assert.Equal(Severity.P1, verdict.Severity);
        Assert.Equal("CouponsRedisDown", verdict.Runbook);
        Assert.Equal(["CouponsRedisDown", "CouponsConsumerLagHigh", "CouponsDeadLetters", "CouponsConsumerPaused"],
            verdict.Findings.Select(f => f.Runbook));
    }

    [Fact]
    public void Lag_at_the_alert_threshold_is_not_a_finding_and_above_it_is()
    {
        Assert.Empty(Triage.Assess(Healthy() with { LagByPartition = new Dictionary<string, long> { ["0"] = Triage.LagThreshold } }).Findings);
        Assert.Equal(Severity.P2, Triage.Assess(Healthy() with { LagByPartition = new Dictionary<string, long> { ["0"] = Triage.LagThreshold + 1 } }).Severity);
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
        var verdict = Triage.Assess(Healthy() with { Alerts = [new FiringAlert("CouponsHighLatency", "P2", null, DateTimeOffset.UtcNow)] });
        Assert.Equal((Severity.P2, "CouponsHighLatency"), (verdict.Severity, verdict.Runbook));
    }
}
