namespace Coupons.Catalog;

/// <summary>A row of <c>coupons</c>. Times are UTC.</summary>
public sealed class Coupon
{
    public long Id { get; init; }

    public string Name { get; init; } = "";

    public string CouponType { get; init; } = "";

    public decimal? DiscountRate { get; init; }

    public decimal? DiscountAmount { get; init; }

    public decimal MinOrderAmount { get; init; }

    /// <summary>A PERCENTAGE coupon's largest discount; null: no cap.</summary>
    public decimal? MaxDiscountAmount { get; init; }

    public int TotalQuantity { get; init; }

    public int IssuedQuantity { get; init; }

    public DateTime StartDate { get; init; }

    public DateTime EndDate { get; init; }

    public int ValidityDays { get; init; }

    public bool IsOpenAt(DateTime utcNow) => utcNow >= StartDate && utcNow < EndDate;
}
