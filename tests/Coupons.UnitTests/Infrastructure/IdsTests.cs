using Coupons.Infrastructure.Http;

namespace Coupons.UnitTests.Infrastructure;

public sealed class IdsTests
{
    [Theory]
    [InlineData("11", true, 11L)]
    [InlineData("9223372036854775807", true, long.MaxValue)]
    [InlineData("0", false, 0L)]
    [InlineData("-1", false, 0L)]
    [InlineData("+5", false, 0L)]
    [InlineData(" 5", false, 0L)]
    [InlineData("abc", false, 0L)]
    [InlineData("9223372036854775808", false, 0L)]
    [InlineData("1e3", false, 0L)]
    [InlineData("", false, 0L)]
    public void Coupon_ids_are_positive_64_bit_integers(string raw, bool valid, long expected)
    {
        Assert.Equal(valid, Ids.TryParseCouponId(raw, out var id));
        if (valid)
        {
            Assert.Equal(expected, id);
        }
    }

    [Theory]
    [InlineData("test-user", true)]
    [InlineData("demo_user_1", true)]
    [InlineData("0f8fad5b-d9cb-469f-a165-70867728950e", true)]
    [InlineData("a", true)]
    [InlineData("", false)]
    [InlineData("0f8fad5b-d9cb-469f-a165-70867728950e1", false)]
    [InlineData("user name", false)]
    [InlineData("user;drop", false)]
    [InlineData("유저", false)]
    [InlineData("a/b", false)]
    public void Public_ids_are_1_to_36_safe_characters(string raw, bool valid) =>
        Assert.Equal(valid, Ids.IsValidPublicId(raw));

    [Theory]
    [InlineData("test-user", "test-user")]
    [InlineData("TEST-USER", "test-user")]
    [InlineData("Case_A-1", "case_a-1")]
    [InlineData("0F8FAD5B-D9CB-469F-A165-70867728950E", "0f8fad5b-d9cb-469f-a165-70867728950e")]
    public void A_public_id_has_one_canonical_form_whatever_its_casing(string raw, string canonical)
    {
        Assert.True(Ids.TryCanonicalPublicId(raw, out var result));
        Assert.Equal(canonical, result);
    }

    [Fact]
    public void A_canonical_public_id_is_returned_as_it_is()
    {
        const string id = "already-lower";
        Assert.True(Ids.TryCanonicalPublicId(id, out var result));
        Assert.Same(id, result);
        Assert.False(Ids.TryCanonicalPublicId("bad id", out _));
    }

    [Fact]
    public void Request_ids_must_be_hyphenated_uuids()
    {
        Assert.True(Ids.TryParseRequestId("01a212dc-e4f1-7517-ae43-b4ad71e461f0", out _));
        Assert.False(Ids.TryParseRequestId("01a212dce4f17517ae43b4ad71e461f0", out _));
        Assert.False(Ids.TryParseRequestId("not-a-uuid", out _));
    }
}
