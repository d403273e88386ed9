namespace Coupons.Contracts;

public sealed record IssuableCoupon(
    long Id,
    string Name,
    string CouponType,
    decimal? DiscountRate,
    decimal? DiscountAmount,
    decimal MinOrderAmount,
    int TotalQuantity,
    int RemainingQuantity,
    DateTimeOffset StartDate,
    DateTimeOffset EndDate);
