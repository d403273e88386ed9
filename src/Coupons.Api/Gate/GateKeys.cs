using System.Globalization;
using StackExchange.Redis;

namespace Coupons.Issuance;

/// <summary>Redis keys of one coupon's gate. The shared hash tag keeps them in one Redis Cluster slot, as Lua requires.</summary>
public readonly record struct GateKeys(long CouponId)
{
    private string Tag => "{coupon:" + CouponId.ToString(CultureInfo.InvariantCulture) + "}";

    public RedisKey Stock => Tag + ":stock";

    public RedisKey Users => Tag + ":users";

    public RedisKey Requests => Tag + ":requests";

    public RedisKey[] All => [Stock, Users, Requests];
}
