using Coupons.Catalog;

namespace Coupons.Redemption;

/// <summary>What a coupon takes off an order, by its type: the one place the rule is written (design.md §3,
/// Redemption).</summary>
public static class Discount
{
    /// <summary>
    /// FIXED: its amount, at most the order's. PERCENTAGE: the rate of the order rounded down to the cent (never more
    /// than the rate), at most the cap when there is one, at most the order. Null when the order is below the coupon's
    /// minimum.
    /// </summary>
    public static decimal? Of(Coupon coupon, decimal orderAmount)
    {
        if (orderAmount < coupon.MinOrderAmount)
        {
            return null;
        }

        var discount = coupon.CouponType == "PERCENTAGE"
            ? Math.Min(decimal.Round(orderAmount * (coupon.DiscountRate ?? 0) / 100m, 2, MidpointRounding.ToZero), coupon.MaxDiscountAmount ?? decimal.MaxValue)
            : coupon.DiscountAmount ?? 0;
        return Math.Clamp(discount, 0, orderAmount);
    }
}
