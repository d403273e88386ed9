using Coupons.Gate;
using Coupons.Gate.Scripts;
using Coupons.Testing;
using Coupons.Users;
using CsCheck;

namespace Coupons.UnitTests.Gate;

/// <summary>
/// take.lua's batch layout as a generated adversary: any mix and order of coupons (0 and the largest id among them),
/// people and known ids. Each click's four keys and three arguments are exactly its own, however the batch reuses key
/// names between clicks of one coupon (issue 24).
/// </summary>
public sealed class TakeScriptLayoutTests
{
    [Fact]
    public void Every_click_gets_its_own_coupon_keys_and_arguments()
    {
        var click = Gen.Select(Gen.OneOf<long>(0L, 1L, 11L, 12L, long.MaxValue), Gen.String[Gen.Char.AlphaNumeric, 1, 36], Gen.Guid,
            Gen.Long[1, long.MaxValue].Nullable(), (coupon, person, request, known) => new GateClick(coupon, person, request, known));

        Fuzz.Check("take.lua batch layout", click.List[1, 40], clicks =>
        {
            var (keys, args) = TakeScript.Layout(clicks);

            Assert.Equal(1 + clicks.Count * 4, keys.Length);
            Assert.Equal(clicks.Count * 3, args.Length);
            for (var i = 0; i < clicks.Count; i++)
            {
                var own = new GateKeys(clicks[i].CouponId);
                Assert.Equal([own.Stock, own.Users, own.Requests, UserRegistry.KeyOf(clicks[i].PublicId)], keys[(1 + i * 4)..(5 + i * 4)]);
                Assert.Equal(clicks[i].PublicId, (string?)args[i * 3]);
                Assert.Equal(clicks[i].RequestId.ToString(), (string?)args[i * 3 + 1]);
                Assert.Equal(clicks[i].KnownUserId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", (string?)args[i * 3 + 2]);
            }
        }, fixedSeed: "0000takelay0", cases: 300, print: clicks => string.Join("; ", clicks));
    }
}
