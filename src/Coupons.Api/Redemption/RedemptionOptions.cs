using System.ComponentModel.DataAnnotations;

namespace Coupons.Redemption;

public sealed class RedemptionOptions
{
    public const string Section = "Redemption";

    /// <summary>
    /// Uses and restores working at once per instance: a bulkhead of their own, so checkout never waits behind a
    /// sale's crowd polling its status (and the other way round).
    /// </summary>
    [Range(1, 10_000)]
    public int MaxConcurrent { get; set; } = 64;

    /// <summary>Uses and restores allowed to wait for a slot; beyond this, 429.</summary>
    [Range(0, 1_000_000)]
    public int MaxQueued { get; set; } = 1_000;
}
