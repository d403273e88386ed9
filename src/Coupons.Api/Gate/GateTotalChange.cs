namespace Coupons.Gate;

public enum GateTotalOutcome
{
    /// <summary>Done: the gate sells the new total less what it counts (or, closed, nothing).</summary>
    Set,

    /// <summary>Read only.</summary>
    Read,

    /// <summary>Refused: the new total is below the requests the gate counts (issued and in flight).</summary>
    BelowCounted,

    /// <summary>Refused: the gate's total was not the one the change expected (another change came first).</summary>
    NotAsExpected,

    /// <summary>No gate (not open yet, being rebuilt, or lost with Redis): nothing was changed.</summary>
    NoGate,

    /// <summary>
    /// Redis restarted, failed over or was restored since its gates were verified: nothing was changed.
    /// </summary>
    NotVerified,
}

/// <summary>What set-total.lua did or read, with the requests the gate counts and its stock before.</summary>
public readonly record struct GateTotalChange(GateTotalOutcome Outcome, long Counted, long StockBefore)
{
    /// <summary>The total the gate sold before: its stock and what it counts.</summary>
    public long TotalBefore => StockBefore + Counted;
}
