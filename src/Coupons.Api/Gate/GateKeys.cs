using System.Globalization;
using StackExchange.Redis;

namespace Coupons.Gate;

/// <summary>
/// Redis keys of one coupon's gate, sharing the hash tag <c>{coupon:id}</c>. That alone does not make the gate work on
/// Redis Cluster: take.lua decides a batch spanning coupons and user-registry shards in one call, so the gate needs one
/// Redis primary (with replicas or Sentinel for failover).
/// </summary>
public readonly record struct GateKeys(long CouponId)
{
    private string Tag => "{coupon:" + CouponId.ToString(CultureInfo.InvariantCulture) + "}";

    public RedisKey Stock => Tag + ":stock";

    public RedisKey Users => Tag + ":users";

    public RedisKey Requests => Tag + ":requests";

    /// <summary>
    /// When the gate was last thrown away (Redis server time, seconds); see drop.lua and missing-for.lua.
    /// </summary>
    public RedisKey DroppedAt => Tag + ":dropped-at";

    /// <summary>
    /// When the gate was last opened (Redis server time, seconds); kept when it is dropped: see open.lua and
    /// missing-for.lua.
    /// </summary>
    public RedisKey OpenedAt => Tag + ":opened-at";

    /// <summary>The gate itself: what a click reads and writes.</summary>
    public RedisKey[] All => [Stock, Users, Requests];
}
