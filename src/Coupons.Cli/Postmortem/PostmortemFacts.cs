using Coupons.Cli.Drills;

namespace Coupons.Cli.Postmortem;

/// <summary>
/// One write in the admin audit: who (the key's id or a token's subject), what, on which coupon, the answer.
/// </summary>
public sealed record AuditAction(DateTimeOffset At, string Actor, string Action, long? CouponId, int Status)
{
    public TimelineEntry ToTimeline() => new(At, "admin_audit", $"{Actor}: {Action}{(CouponId is { } c ? $" (coupon {c})" : "")} -> {Status}");
}

/// <summary>
/// What the database says about the window (read-only queries), for one coupon when the incident has one, else for
/// all. Operator actions are the audit's writes: reads change nothing.
/// </summary>
public sealed record DatabaseImpact(long IssuedInWindow, long UsersIssuedInWindow, long RejectedInWindow, long ParkedNow, IReadOnlyList<AuditAction> OperatorActions, long? CouponId = null);

/// <summary>What the app's counters say about the window, through Prometheus (each counter's rises within the window;
/// see <see cref="ImpactReader.Counted"/>).</summary>
/// <param name="CountedUntil">The last scrape inside the window: what happened after it (up to a scrape interval) is
/// not in the counts.</param>
public sealed record MetricsImpact(IReadOnlyDictionary<string, long> FcfsAnswersByOutcome, long Parked, long Relayed, long UnitsReturned, long MaxConsumerLag,
    DateTimeOffset? CountedUntil = null);

/// <summary>A time the guide's template asks for (design.md §1), against its severity's target, with where each end of
/// it comes from (or why it is missing).</summary>
public sealed record Timing(string What, double? Seconds, double TargetSeconds, string Source = "")
{
    public bool? WithinTarget => Seconds is { } s ? s <= TargetSeconds : null;
}

/// <summary>
/// Everything a post-mortem draft says, each number with its source; written as JSON next to the Markdown.
/// </summary>
public sealed record PostmortemFacts(
    DateTimeOffset From,
    DateTimeOffset To,
    string Severity,
    DateTimeOffset? IncidentStart,
    IReadOnlyList<Timing> Timings,
    DatabaseImpact? Database,
    MetricsImpact? Metrics,
    DrillReport? Drill,
    IReadOnlyList<AlertHistory.Firing> Alerts,
    IReadOnlyList<TimelineEntry> Timeline,
    IReadOnlyList<string> Charts,
    IReadOnlyList<string> Unavailable)
{
    /// <summary>
    /// The app versions that ran in the window (<c>coupons_build_info</c>), each with its commit; null when Prometheus
    /// was not read.
    /// </summary>
    public IReadOnlyList<string>? Versions { get; init; }

    /// <summary>The couponctl that drafted it.</summary>
    public string DraftedBy { get; init; } = CliVersion.Current;
}
