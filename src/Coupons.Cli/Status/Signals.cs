using Coupons.Contracts;

namespace Coupons.Cli.Status;

/// <summary>One dependency as the app's readiness check reports it (db, redis, kafka, consumer).</summary>
public sealed record DependencyState(string Name, bool Up, string? Details);

/// <summary>An open coupon's consistency report, cut to what the checklist needs.</summary>
/// <param name="Unreadable">Why its consistency report could not be read (Redis down answers 503), or null.</param>
public sealed record CouponState(long Id, string Name, bool Consistent, long InFlight, long Parked, IReadOnlyList<string> Problems, string? Unreadable = null);

/// <summary>An alert Alertmanager holds as firing (not silenced, not inhibited).</summary>
public sealed record FiringAlert(string Name, string Severity, string? Runbook, DateTimeOffset Since, string? Instance = null);

/// <summary>
/// What one replica said about itself: its readiness check and its /metrics. A part it did not answer says why.
/// </summary>
public sealed record ReplicaSignals
{
    public required Replica Replica { get; init; }

    /// <summary>Null when the replica answered its health endpoint; else why it did not.</summary>
    public string? AppUnreachable { get; init; }

    public TimeSpan HealthLatency { get; init; }

    public IReadOnlyList<DependencyState> Dependencies { get; init; } = [];

    /// <summary>
    /// Null when its /metrics was read; else why not. Lag, circuits, parked and the consumer are unknown then.
    /// </summary>
    public string? MetricsError { get; init; }

    /// <summary>
    /// The whole consumer group's lag per partition, as this replica sees it (every replica exports all of it).
    /// </summary>
    public IReadOnlyDictionary<string, long> LagByPartition { get; init; } = new Dictionary<string, long>();

    /// <summary>0 closed, 1 open, 2 half-open, 3 isolated (coupons_circuit_state).</summary>
    public IReadOnlyDictionary<string, int> Circuits { get; init; } = new Dictionary<string, int>();

    /// <summary>Null when the replica exports no parked count (it could not read the database).</summary>
    public long? Parked { get; init; }

    public bool ConsumerPaused { get; init; }

    /// <summary>
    /// Seconds since this replica last read the sale pauses (coupons_sales_pauses_age_seconds); null when it does not
    /// export it (a release older than the kill switch, or no read yet).
    /// </summary>
    public double? PausesViewAge { get; init; }
}

/// <summary>
/// Everything the guide's first-five-minutes checklist (design.md §8, couponctl) looks at, read once: each replica
/// given, the admin API (shared by all), Alertmanager if given. A part that could not be read says so (its error) and
/// is a finding of its own.
/// </summary>
public sealed record Signals
{
    public required DateTimeOffset At { get; init; }

    public IReadOnlyList<ReplicaSignals> Replicas { get; init; } = [];

    /// <summary>
    /// Dead letters written within <see cref="AlertRules.DeadLetterWindow"/> (what CouponsDeadLetters fires on).
    /// </summary>
    public int? NewDeadLetters { get; init; }

    /// <summary>Dead letters on the topic in all (the newest 100 at most), new or not.</summary>
    public int? DeadLetters { get; init; }

    public IReadOnlyList<CouponState> Coupons { get; init; } = [];

    /// <summary>How many coupons are open; only the newest <see cref="SignalReader.MaxCoupons"/> are checked.</summary>
    public int OpenCoupons { get; init; }

    /// <summary>
    /// Null when the admin API answered; else why not: dead letters and each coupon's consistency are unknown.
    /// </summary>
    public string? AdminError { get; init; }

    /// <summary>
    /// The sales paused by an operator (the kill switch), as the admin API reads them from the database.
    /// </summary>
    public IReadOnlyList<SalePauseView> Pauses { get; init; } = [];

    /// <summary>
    /// Null when the pauses were read (first, on their own: a Kafka outage that hides the dead letters must not hide
    /// them); else why not (the admin API unreachable, a service older than the kill switch answers 404).
    /// </summary>
    public string? PausesError { get; init; }

    public IReadOnlyList<FiringAlert> Alerts { get; init; } = [];

    /// <summary>Null when Alertmanager answered, or was not asked (no --alertmanager).</summary>
    public string? AlertmanagerError { get; init; }

    public bool AlertmanagerAsked { get; init; }

    /// <summary>
    /// The group's lag as <see cref="AlertRules.ConsumerLag"/> defines it, over the replicas whose /metrics were read.
    /// </summary>
    public long ConsumerLag => AlertRules.GroupLag(ReadMetrics.Select(r => r.LagByPartition));

    /// <summary>
    /// The parked count as <see cref="AlertRules.Parked"/> defines it; null when no replica exported one.
    /// </summary>
    public long? Parked => ReadMetrics.Where(r => r.Parked is not null).Select(r => r.Parked!.Value).ToList() is { Count: > 0 } known
        ? AlertRules.ParkedCount(known)
        : null;

    /// <summary>Each partition's lag as <see cref="AlertRules.ConsumerLag"/> counts it (its highest reading).</summary>
    public IReadOnlyDictionary<string, long> LagByPartition => ReadMetrics.SelectMany(r => r.LagByPartition)
        .GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Max(p => p.Value));

    /// <summary>
    /// Whether any pipeline figure was read at all: some replica's /metrics, or Alertmanager's alerts.
    /// </summary>
    public bool SeesThePipeline => ReadMetrics.Any() || (AlertmanagerAsked && AlertmanagerError is null);

    private IEnumerable<ReplicaSignals> ReadMetrics => Replicas.Where(r => r.MetricsError is null);
}
