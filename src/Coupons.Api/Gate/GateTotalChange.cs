namespace Coupons.Gate;

public enum GateTotalOutcome
{
    /// <summary>The gate now sells the new total less what it counts.</summary>
    Set,

    /// <summary>Refused: the new total is below the requests the gate counts (issued and in flight).</summary>
    BelowCounted,

    /// <summary>No gate (not open yet, being rebuilt, or lost with Redis): nothing was changed.</summary>
    NoGate,

    /// <summary>
    /// Redis restarted, failed over or was restored since its gates were verified: nothing was changed.
    /// </summary>
    NotVerified,
}

/// <summary>What set-total.lua did, with the requests the gate counts and its stock before.</summary>
public readonly record struct GateTotalChange(GateTotalOutcome Outcome, long Counted, long StockBefore);
