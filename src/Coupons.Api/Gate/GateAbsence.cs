namespace Coupons.Gate;

/// <summary>A coupon's gate is missing: for at least <see cref="For"/> (Redis's clock), or it never existed at all
/// (then <see cref="For"/> is zero: not a figure to wait on).</summary>
/// <param name="NeverExisted">No gate of the coupon was ever opened or dropped on this trusted Redis, and its sale
/// starts after the Redis was verified (plus the clock-skew margin): nothing was ever accepted for it, so nothing of it
/// can be on its way to Kafka or waiting there (missing-for.lua).</param>
/// <param name="Generation">The gate's dropped-at mark: tells this absence from a later one.</param>
public readonly record struct GateAbsence(TimeSpan For, bool NeverExisted, string Generation = "")
{
    public static readonly GateAbsence Never = new(TimeSpan.Zero, NeverExisted: true);
}
