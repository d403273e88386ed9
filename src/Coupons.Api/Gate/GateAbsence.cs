namespace Coupons.Gate;

/// <summary>A coupon's gate is missing: for at least <see cref="For"/> (Redis's clock), or it never existed at all (then <see cref="For"/> is zero: not a figure to wait on).</summary>
/// <param name="NeverExisted">No gate of the coupon was ever opened or dropped on this trusted Redis: nothing was ever
/// accepted for it, so nothing of it can be on its way to Kafka or waiting there.</param>
public readonly record struct GateAbsence(TimeSpan For, bool NeverExisted)
{
    public static readonly GateAbsence Never = new(TimeSpan.Zero, NeverExisted: true);
}
