namespace Coupons.Contracts;

public sealed record UserCouponView(
    long Id, long CouponId, string CouponName, string CouponType, decimal? DiscountRate, decimal? DiscountAmount,
    string Status, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, string RequestId, string? OrderId = null, DateTimeOffset? UsedAt = null);
