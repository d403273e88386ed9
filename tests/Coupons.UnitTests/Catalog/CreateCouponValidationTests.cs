using Coupons.Catalog;
using Coupons.Contracts;

namespace Coupons.UnitTests.Catalog;

public sealed class CreateCouponValidationTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    private static CreateCouponRequest Valid() =>
        new("Flash sale", "PERCENTAGE", 10, null, 0, 100, Start, Start.AddDays(1), 30);

    [Fact]
    public void A_complete_request_is_valid() => Assert.Null(CatalogAdminApi.Validate(Valid()));

    [Fact]
    public void Coupon_type_is_case_insensitive() => Assert.Null(CatalogAdminApi.Validate(Valid() with { CouponType = "fixed", DiscountAmount = 1000 }));

    public static TheoryData<CreateCouponRequest> Invalid() =>
    [
        Valid() with { Name = "" },
        Valid() with { Name = new string('x', 201) },
        Valid() with { CouponType = "FREE" },
        Valid() with { TotalQuantity = 0 },
        Valid() with { TotalQuantity = -5 },
        Valid() with { TotalQuantity = null },
        Valid() with { EndDate = Start },
        Valid() with { StartDate = null },
        Valid() with { DiscountRate = 101 },
        Valid() with { DiscountAmount = -1 },
        Valid() with { ValidityDays = 0 },
        Valid() with { DiscountRate = null },                              // a PERCENTAGE coupon without a rate
        Valid() with { CouponType = "FIXED", DiscountAmount = null },      // a FIXED one without an amount
        Valid() with { MaxDiscountAmount = -1 },
        Valid() with { MinOrderAmount = 1.234m },                          // money has cents, not less
        Valid() with { CouponType = "FIXED", DiscountAmount = 1_000_000_001m },
        Valid() with { MaxDiscountAmount = 0 },                            // every use would burn the coupon for nothing
        Valid() with { DiscountRate = 12.345m },                           // MariaDB would round it, SQLite not
        Valid() with { CouponType = "FIXED", DiscountAmount = 500, MaxDiscountAmount = 300 }, // a cap a FIXED one ignores
    ];

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Incomplete_or_out_of_range_requests_are_refused(CreateCouponRequest request) =>
        Assert.NotNull(CatalogAdminApi.Validate(request));
}
