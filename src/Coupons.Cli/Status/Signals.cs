namespace Coupons.Cli.Status;

/// <summary>One dependency as the app's readiness check reports it (db, redis, kafka, consumer).</summary>
public sealed record DependencyState(string Name, bool Up, string? Details);

/// <summary>An open coupon's consistency report, cut to what the checklist needs.</summary>
/// <param name="Unreadable">Why its consistency report could not be read (Redis down answers 503), or null.</param>
public sealed record CouponState(long Id, string Name, bool Consistent, long InFlight, long Parked, IReadOnlyList<string> Problems, string? Unreadable = null);

/// <summary>An alert Alertmanager holds as firing (not silenced, not inhibited).</summary>
public sealed record FiringAlert(string Name, string Severity, string? Runbook, DateTimeOffset Since, string? Instance = null);

/// <summary>
/// Everything the guide's first-five-minutes checklist looks at, read once. A part that could not be read says so
/// (its error) instead of reading as healthy.
/// </summary>
public sealed record Signals
{
    public required DateTimeOffset At { get; init; }

    /// <summary>Null when the app answered its health endpoint; else why it did not.</summary>
    public string? AppUnreachable { get; init; }

    public TimeSpan HealthLatency { get; init; }

    public IReadOnlyList<DependencyState> Dependencies { get; init; } = [];

    public string? MetricsError { get; init; }

    public IReadOnlyDictionary<string, long> LagByPartition { get; init; } = new Dictionary<string, long>();

    /// <summary>0 closed, 1 open, 2 half-open, 3 isolated (coupons_circuit_state).</summary>
    public IReadOnlyDictionary<string, int> Circuits { get; init; } = new Dictionary<string, int>();

    public long Parked { get; init; }

    public bool ConsumerPaused { get; init; }

    public int? DeadLetters { get; init; }

    public IReadOnlyList<CouponState> Coupons { get; init; } = [];

    public string? AdminError { get; init; }

    public IReadOnlyList<FiringAlert> Alerts { get; init; } = [];

    /// <summary>Null when Alertmanager answered, or was not asked (no --alertmanager).</summary>
    public string? AlertmanagerError { get; init; }

    public bool AlertmanagerAsked { get; init; }
}
