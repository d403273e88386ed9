namespace Coupons.Cli.Status;

/// <summary>The guide's severities, most urgent first; None: nothing found.</summary>
public enum Severity
{
    P0 = 0,
    P1 = 1,
    P2 = 2,
    P3 = 3,
    None = 4,
}

/// <summary>One thing the checklist found: how bad, which runbook, and the signal that says so.</summary>
public sealed record Finding(Severity Severity, string Runbook, string Reason);

/// <summary>The overall verdict: the most urgent finding decides the severity and the runbook to open next.</summary>
public sealed record Assessment(Severity Severity, string? Runbook, IReadOnlyList<Finding> Findings)
{
    /// <summary>0 when nothing is wrong, else 10 + the P level (P0 = 10 ... P3 = 13), so scripts can branch on it.</summary>
    public int ExitCode => Severity == Severity.None ? 0 : 10 + (int)Severity;
}

/// <summary>
/// The guide's P0–P3 definitions applied to one reading of the signals, with the same thresholds and runbooks as
/// deploy/prometheus/alerts.yml, so the tool and the pager agree. Alerts already firing count as findings too.
/// </summary>
public static class Triage
{
    public const long LagThreshold = 1_000; // CouponsConsumerLagHigh: sum(coupons_consumer_lag) > 1000

    private static readonly Dictionary<string, (Severity Severity, string Runbook)> DependencyDown = new()
    {
        ["db"] = (Severity.P0, "CouponsMySQLDown"),
        ["redis"] = (Severity.P1, "CouponsRedisDown"),
        ["kafka"] = (Severity.P1, "CouponsKafkaUnreachable"),
        ["consumer"] = (Severity.P2, "CouponsConsumerLagHigh"),
    };

    public static Assessment Assess(Signals s)
    {
        var findings = new List<Finding>();
        if (s.AppUnreachable is not null)
        {
            findings.Add(new(Severity.P0, "CouponsAppDown", $"the app does not answer its health check: {s.AppUnreachable}"));
        }

        foreach (var dependency in s.Dependencies.Where(d => !d.Up))
        {
            var (severity, runbook) = DependencyDown.GetValueOrDefault(dependency.Name, (Severity.P1, "CouponsHighErrorRate"));
            findings.Add(new(severity, runbook, $"{dependency.Name} is DOWN on the readiness check{(dependency.Details is null ? "" : $": {dependency.Details}")}"));
        }

        foreach (var (circuit, state) in s.Circuits.Where(c => c.Value == 1))
        {
            findings.Add(new(Severity.P2, "CouponsCircuitOpen", $"the {circuit} circuit is open (calls fail fast)"));
        }

        var lag = s.LagByPartition.Values.Sum();
        if (lag > LagThreshold)
        {
            findings.Add(new(Severity.P2, "CouponsConsumerLagHigh", $"consumer lag {lag:N0} > {LagThreshold:N0} (accepted requests waiting to be written)"));
        }

        if (s.Parked > 0)
        {
            findings.Add(new(Severity.P2, "CouponsParkedRequestsGrowing", $"{s.Parked:N0} accepted requests parked in the database, waiting for Kafka"));
        }

        if (s.DeadLetters is > 0)
        {
            findings.Add(new(Severity.P2, "CouponsDeadLetters", $"{s.DeadLetters} messages on the dead-letter topic"));
        }

        foreach (var coupon in s.Coupons.Where(c => c.Unreadable is null && !c.Consistent && c.InFlight == 0 && c.Parked == 0))
        {
            findings.Add(new(Severity.P2, "CouponsReconciliationDrift",
                $"coupon {coupon.Id} is inconsistent with nothing in flight: {string.Join("; ", coupon.Problems.DefaultIfEmpty("see its consistency report"))}"));
        }

        if (s.ConsumerPaused)
        {
            findings.Add(new(Severity.P3, "CouponsConsumerPaused", "an operator paused this instance's consumer"));
        }

        // One finding per alert, however many instances fire it (each replica reports its own dependencies).
        foreach (var alert in s.Alerts.DistinctBy(a => (a.Name, a.Severity)))
        {
            var severity = Enum.TryParse<Severity>(alert.Severity, out var parsed) && parsed != Severity.None ? parsed : Severity.P3;
            findings.Add(new(severity, alert.Name, $"alert {alert.Name} ({alert.Severity}) firing since {alert.Since:HH:mm:ss} UTC"));
        }

        var ordered = findings.OrderBy(f => f.Severity).ToList();
        return ordered.Count == 0
            ? new Assessment(Severity.None, null, [])
            : new Assessment(ordered[0].Severity, ordered[0].Runbook, ordered);
    }
}
