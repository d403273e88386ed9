namespace Coupons.Gate;

/// <summary>What opening a gate from the database came to (see open.lua).</summary>
public enum GateOpenResult
{
    Opened,
    AlreadyOpen,

    /// <summary>A reset or a Redis restart landed while holders were staged: nothing was opened.</summary>
    Torn,
}
