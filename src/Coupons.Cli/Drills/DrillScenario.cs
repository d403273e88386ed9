namespace Coupons.Cli.Drills;

/// <summary>The guide's severity levels and their targets (design.md §1): detect / start responding /
/// resolve.</summary>
public sealed record SeverityTarget(string Level, TimeSpan Detect, TimeSpan Respond, TimeSpan Resolve)
{
    public static readonly SeverityTarget P0 = new("P0", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromHours(1));
    public static readonly SeverityTarget P1 = new("P1", TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromHours(4));
    public static readonly SeverityTarget P2 = new("P2", TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), TimeSpan.FromDays(1));
    public static readonly SeverityTarget P3 = new("P3", TimeSpan.FromHours(1), TimeSpan.FromDays(1), TimeSpan.FromDays(7));

    /// <summary>The targets of a level named P0–P3; anything else is judged as the least urgent, P3.</summary>
    public static SeverityTarget Of(string level) => level switch { "P0" => P0, "P1" => P1, "P2" => P2, _ => P3 };
}

/// <summary>
/// One of the guide's drills (design.md §1). The fault is held at least <see cref="Hold"/> and, when the drill watches
/// an alert, until that alert fires (at most the severity's detect target): a drill that heals before its alert can
/// fire measures nothing about detection. <see cref="Alert"/> is null where no page is the right answer (the APM going
/// away must not touch the service; a Sentinel failover heals itself before any alert's <c>for:</c>).
/// </summary>
public sealed record DrillScenario(string Name, string Fault, TimeSpan Hold, string? Alert, SeverityTarget Severity, TimeSpan RecoverWithin)
{
    /// <summary>
    /// Recovery is automatic here (no restart, no hand repair), so it is held to a minute, far inside any resolve
    /// target.
    /// </summary>
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    public static readonly IReadOnlyList<DrillScenario> All =
    [
        new("redis-down", "Redis stopped", TimeSpan.FromSeconds(30), "CouponsRedisDown", SeverityTarget.P1, Minute),
        new("mysql-partition", "the app cut off from MariaDB (its server frozen: connections hang, nothing answers)", TimeSpan.FromSeconds(60), "CouponsMySQLDown", SeverityTarget.P0, Minute),
        new("memory-256m", "the app's memory capped at 256 MB (cgroup) under load", TimeSpan.FromSeconds(60), null, SeverityTarget.P1, Minute),
        new("kafka-down", "every Kafka broker down", TimeSpan.FromSeconds(60), "CouponsKafkaUnreachable", SeverityTarget.P1, Minute),
        new("app-kill", "one app replica killed (kill -9)", TimeSpan.FromSeconds(30), "CouponsAppDown", SeverityTarget.P0, Minute),
        new("redis-failover", "the Redis primary killed (kill -9); Sentinel promotes the replica", TimeSpan.FromSeconds(20), null, SeverityTarget.P1, Minute),
        new("apm-down", "the telemetry backend (OTLP endpoint) killed", TimeSpan.FromSeconds(30), null, SeverityTarget.P2, Minute),
    ];

    public static DrillScenario Named(string name) =>
        All.FirstOrDefault(s => s.Name == name)
        ?? throw new ArgumentException($"unknown drill '{name}'; one of: {string.Join(", ", All.Select(s => s.Name))}");
}
