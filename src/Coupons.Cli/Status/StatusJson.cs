using Coupons.Contracts;

namespace Coupons.Cli.Status;

/// <summary>
/// <c>couponctl status --output json</c>: one reading as scripts read it (docs/couponctl-json.md). Every field is
/// always present; what could not be read is null with the reason beside it, never 0.
/// </summary>
public sealed record StatusJson(
    string Command,
    int ShapeVersion,
    DateTimeOffset At,
    string Severity,
    int ExitCode,
    string? Runbook,
    IReadOnlyList<StatusJson.FindingJson> Findings,
    IReadOnlyList<string> NotLookedAt,
    IReadOnlyList<StatusJson.ReplicaJson> Replicas,
    StatusJson.PipelineJson Pipeline,
    StatusJson.CouponsJson Coupons,
    StatusJson.SalesJson Sales,
    StatusJson.AlertsJson Alerts)
{
    public sealed record FindingJson(string Severity, string Runbook, string Reason);

    public sealed record DependencyJson(string Name, bool Up, string? Details);

    public sealed record ReplicaJson(
        string Url, string AdminUrl, string? Unreachable, double HealthLatencyMs, IReadOnlyList<DependencyJson> Dependencies,
        string? MetricsError, IReadOnlyDictionary<string, string> Circuits, long? Parked, bool? ConsumerPaused);

    public sealed record PipelineJson(long? ConsumerLag, IReadOnlyDictionary<string, long> LagByPartition, long? Parked, int? NewDeadLetters,
        int? DeadLetters, string? AdminError);

    public sealed record CouponJson(long Id, string Name, bool? Consistent, long? InFlight, long? Parked, IReadOnlyList<string> Problems, string? Unreadable);

    public sealed record CouponsJson(int? Open, IReadOnlyList<CouponJson> Checked, string? Unreadable);

    /// <summary>The pauses in force (null with the reason when they could not be read).</summary>
    public sealed record SalesJson(IReadOnlyList<SalePauseView>? Paused, string? Unreadable);

    public sealed record AlertJson(string Name, string Severity, string? Runbook, DateTimeOffset Since, string? Instance);

    public sealed record AlertsJson(bool Asked, string? Error, IReadOnlyList<AlertJson> Firing);

    public const int CurrentShape = 1;

    public static StatusJson From(Signals s, Assessment a) => new(
        "status",
        CurrentShape,
        s.At,
        a.Severity == Status.Severity.None ? "OK" : a.Severity.ToString(),
        a.ExitCode,
        a.Runbook is { } runbook ? RunbookPath(runbook) : null,
        [.. a.Findings.Select(f => new FindingJson(f.Severity.ToString(), RunbookPath(f.Runbook), f.Reason))],
        a.NotLookedAt,
        [.. s.Replicas.Select(r => new ReplicaJson(
            r.Replica.App.ToString(), r.Replica.Admin.ToString(), r.AppUnreachable, Math.Round(r.HealthLatency.TotalMilliseconds, 1),
            [.. r.Dependencies.Select(d => new DependencyJson(d.Name, d.Up, d.Details))],
            r.MetricsError,
            r.MetricsError is null ? r.Circuits.ToDictionary(c => c.Key, c => CircuitName(c.Value)) : new Dictionary<string, string>(),
            r.MetricsError is null ? r.Parked : null,
            r.MetricsError is null ? r.ConsumerPaused : null))],
        new PipelineJson(
            s.LagByPartition.Count > 0 ? s.ConsumerLag : null, s.LagByPartition, s.Parked,
            s.AdminError is null ? s.NewDeadLetters : null, s.AdminError is null ? s.DeadLetters : null, s.AdminError),
        new CouponsJson(s.AdminError is null ? s.OpenCoupons : null,
            [.. s.Coupons.Select(c => c.Unreadable is null
                ? new CouponJson(c.Id, c.Name, c.Consistent, c.InFlight, c.Parked, c.Problems, null)
                : new CouponJson(c.Id, c.Name, null, null, null, c.Problems, c.Unreadable))],
            s.AdminError),
        new SalesJson(s.PausesError is null ? s.Pauses : null, s.PausesError),
        new AlertsJson(s.AlertmanagerAsked, s.AlertmanagerError,
            [.. s.Alerts.Select(al => new AlertJson(al.Name, al.Severity, al.Runbook, al.Since, al.Instance))]));

    private static string RunbookPath(string runbook) => $"docs/runbooks/{runbook}.md";

    private static string CircuitName(int state) => state switch
    {
        0 => "closed",
        1 => "open",
        2 => "half-open",
        _ => "isolated",
    };
}
