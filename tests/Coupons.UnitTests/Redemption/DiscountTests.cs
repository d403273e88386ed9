using Coupons.Catalog;
using Coupons.Redemption;
using Coupons.Testing;
using CsCheck;

namespace Coupons.UnitTests.Redemption;

public sealed class DiscountTests
{
    private static Coupon Fixed(decimal amount, decimal minOrder = 0) => new() { CouponType = "FIXED", DiscountAmount = amount, MinOrderAmount = minOrder };

    private static Coupon Percentage(decimal rate, decimal? cap = null, decimal minOrder = 0) =>
        new() { CouponType = "PERCENTAGE", DiscountRate = rate, MaxDiscountAmount = cap, MinOrderAmount = minOrder };

    [Theory]
    [InlineData("FIXED", "1000", null, "0", "5000", "1000")]          // its amount
    [InlineData("FIXED", "1000", null, "0", "600", "600")]            // at most the order
    [InlineData("FIXED", "1000", null, "5000", "4999.99", null)]      // below the minimum: refused
    [InlineData("PERCENTAGE", "15", null, "0", "12345.67", "1851.85")] // 1,851.8505 rounded down
    [InlineData("PERCENTAGE", "15", "3000", "0", "33333.33", "3000")] // at most the cap
    [InlineData("PERCENTAGE", "100", null, "0", "0.01", "0.01")]
    [InlineData("PERCENTAGE", "0.5", null, "0", "1.99", "0")]         // less than a cent is nothing
    public void The_discount_follows_the_coupons_type(string type, string value, string? cap, string minOrder, string order, string? expected)
    {
        var coupon = type == "FIXED" ? Fixed(D(value), D(minOrder)) : Percentage(D(value), cap is null ? null : D(cap), D(minOrder));
        Assert.Equal(expected is null ? null : D(expected), Discount.Of(coupon, D(order)));
    }

    private static decimal D(string value) => decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// For any coupon and order: no discount below zero or above the order, a PERCENTAGE one never above its rate or
    /// its cap and within a cent of the rate when uncapped, a FIXED one its amount or the whole order, and an order
    /// below the minimum gets none.
    /// </summary>
    [Fact]
    public void No_discount_is_more_than_the_coupon_gives_or_the_order_costs()
    {
        var cents = Gen.Long[0, 100_000_000_00L].Select(c => c / 100m);
        var coupons = Gen.OneOf(
            Gen.Select(cents, cents, (amount, min) => Fixed(amount, min)),
            Gen.Select(Gen.Int[0, 10_000], cents.Nullable(), cents, (basisPoints, cap, min) => Percentage(basisPoints / 100m, cap, min)));
        Fuzz.Check("discounts", Gen.Select(coupons, cents), t =>
        {
            var (coupon, order) = t;
            var discount = Discount.Of(coupon, order);
            if (order < coupon.MinOrderAmount)
            {
                Assert.Null(discount);
                return;
            }

            Assert.InRange(discount!.Value, 0, order);
            Assert.Equal(discount.Value, decimal.Round(discount.Value, 2));
            if (coupon.CouponType == "FIXED")
            {
                Assert.Equal(Math.Min(coupon.DiscountAmount!.Value, order), discount);
                return;
            }

            var exact = order * coupon.DiscountRate!.Value / 100m;
            Assert.True(discount <= exact && discount <= (coupon.MaxDiscountAmount ?? decimal.MaxValue), $"{discount} for {order} at {coupon.DiscountRate}%");
            Assert.True(coupon.MaxDiscountAmount is not null || exact - discount < 0.01m, $"{discount} for {order} at {coupon.DiscountRate}%");
        }, fixedSeed: "0000discount", cases: 10_000);
    }
}
