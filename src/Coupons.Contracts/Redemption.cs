namespace Coupons.Contracts;

/// <summary>
/// Use a coupon at checkout: the order's id (the idempotency key) and its amount before the discount.
/// </summary>
public sealed record UseCouponRequest(string? OrderId, decimal? OrderAmount);

/// <summary>Give the coupon back: the id of the cancelled order that used it.</summary>
public sealed record RestoreCouponRequest(string? OrderId);

/// <summary>
/// A coupon's use by an order: <c>USED</c>, or <c>RESTORED</c> once the order was cancelled. <see cref="Replayed"/>:
/// this answer repeats an earlier call's (the same order id), nothing changed now.
/// </summary>
public sealed record RedemptionView(
    long CouponId, long UserCouponId, string PublicId, string OrderId, decimal OrderAmount, decimal Discount, string Status,
    DateTimeOffset UsedAt, DateTimeOffset? RestoredAt, bool Replayed);
