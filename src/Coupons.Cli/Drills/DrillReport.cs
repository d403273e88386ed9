namespace Coupons.Cli.Drills;

/// <summary>Something that happened during a drill, at the time it happened (UTC).</summary>
public sealed record DrillEvent(DateTimeOffset At, string What);

/// <summary>What the drill's users were answered: the load generator's own counters.</summary>
public sealed record LoadCounters(
    int Users,
    int Requests,
    int Accepted,
    int Conflicts,
    int Unavailable,
    int RateLimited,
    int NoAnswer,
    int OtherErrors,
    int UsersRefusedAtLeastOnce,
    int UsersDelayedOver5s,
    double P99LatencyMs,
    IReadOnlyDictionary<string, int> ByStatusAndCode)
{
    public static LoadCounters From(IReadOnlyCollection<DrillAnswer> answers)
    {
        var byUser = answers.GroupBy(a => a.Person).ToList(); // one person however cased
        var latencies = answers.Where(a => a.Status != 0).Select(a => a.LatencyMs).Order().ToList();
        return new LoadCounters(
            byUser.Count,
            answers.Count,
            answers.Count(a => a.Status == 202),
            answers.Count(a => a.Status == 409),
            answers.Count(a => a.Status == 503),
            answers.Count(a => a.Status == 429),
            answers.Count(a => a.Status == 0),
            answers.Count(a => a.Status is not (0 or 202 or 409 or 503 or 429)),
            byUser.Count(g => g.Any(a => a.Status is not (202 or 409))),
            byUser.Count(g => g.Max(a => a.At) - g.Min(a => a.At) > TimeSpan.FromSeconds(5)),
            latencies.Count == 0 ? 0 : latencies[(int)Math.Min(latencies.Count - 1, Math.Ceiling(latencies.Count * 0.99) - 1)],
            answers.GroupBy(a => a.Status == 0 ? $"no answer ({a.Code})" : $"{a.Status} {a.Code ?? ""}".TrimEnd())
                .OrderByDescending(g => g.Count()).ToDictionary(g => g.Key, g => g.Count()));
    }
}

/// <summary>
/// A drill's result: written as <c>drills/&lt;UTC&gt;-&lt;scenario&gt;.json</c> next to its Markdown, read back by
/// <c>postmortem --drill</c>.
/// </summary>
public sealed record DrillReport(
    string Scenario,
    string Stack,
    string Fault,
    bool Passed,
    IReadOnlyList<string> Failures,
    DateTimeOffset StartedAt,
    DateTimeOffset InjectedAt,
    DateTimeOffset HealedAt,
    DateTimeOffset EndedAt,
    string? Alert,
    string Severity,
    double? DetectedAfterSeconds,
    double DetectTargetSeconds,
    double? AlertResolvedAfterHealSeconds,
    double? RecoveredAfterSeconds,
    DateTimeOffset? RecoveredAt,
    double RecoverTargetSeconds,
    long CouponId,
    LoadCounters Load,
    IReadOnlyList<InvariantCheck> Invariants,
    IReadOnlyList<DrillEvent> Events)
{
    public string Verdict => Passed ? "PASS" : "FAIL";

    /// <summary>
    /// Who the admin audit records the drill's own calls as (its key's id): the post-mortem does not count them as a
    /// response.
    /// </summary>
    public string? Actor { get; init; }

    /// <summary>
    /// Clicks accepted while the fault lasted (from the injection to the heal, or to recovery for a fault that heals
    /// itself).
    /// </summary>
    public int AcceptedDuringFault { get; init; }
}
