namespace Coupons.Gate;

/// <summary>What opening a gate from the database came to (see open.lua).</summary>
public enum GateOpenResult
{
    Opened,
    AlreadyOpen,

    /// <summary>A reset or a Redis restart landed while holders were staged: nothing was opened.</summary>
    Torn,
}

/// <summary>
/// Which incarnation of a gate an opening is for: its dropped-at mark when the opening read the database. A reset after
/// that makes the opening torn (see open.lua).
/// </summary>
public readonly record struct GateGeneration(string DroppedAt);
