using Coupons.Infrastructure.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Coupons.UnitTests.Infrastructure;

public sealed class RouteIdsTests
{
    [Theory]
    [InlineData("couponId", "0", ProblemCodes.InvalidCouponId)]
    [InlineData("couponId", "+5", ProblemCodes.InvalidCouponId)]
    [InlineData("publicId", "user;drop", ProblemCodes.InvalidPublicId)]
    [InlineData("requestId", "0f8fad5bd9cb469fa16570867728950e", ProblemCodes.InvalidRequestId)]
    public void An_invalid_id_in_the_path_is_400_with_its_own_code(string name, string raw, string code)
    {
        var problem = RouteIds.Check(new RouteValueDictionary { [name] = raw });

        Assert.Equal((StatusCodes.Status400BadRequest, code), (problem!.StatusCode, (string)problem.ProblemDetails.Extensions["code"]!));
    }

    [Fact]
    public void Valid_ids_reach_the_handler_in_canonical_form()
    {
        var values = new RouteValueDictionary { ["couponId"] = "11", ["publicId"] = "Test-USER", ["requestId"] = "0F8FAD5B-D9CB-469F-A165-70867728950E", ["other"] = "As Is" };

        Assert.Null(RouteIds.Check(values));
        Assert.Equal(("11", "test-user", "0f8fad5b-d9cb-469f-a165-70867728950e", "As Is"),
            ((string)values["couponId"]!, (string)values["publicId"]!, (string)values["requestId"]!, (string)values["other"]!));
    }

    [Fact]
    public void With_several_invalid_ids_the_coupon_id_is_named_first()
    {
        var problem = RouteIds.Check(new RouteValueDictionary { ["couponId"] = "x", ["publicId"] = "!" });

        Assert.Equal(ProblemCodes.InvalidCouponId, (string)problem!.ProblemDetails.Extensions["code"]!);
    }
}
