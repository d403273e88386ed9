using StackExchange.Redis;

namespace Coupons.Gate.Scripts;

/// <summary>
/// reconcile.lua: returns the unit of a request the database will never issue. KEYS: the gate (stock, users,
/// requests); ARGV[1] requestId, ARGV[2] the request through which its user holds the coupon in the database, or ''.
/// Answer: 1 returned, 0 nothing.
/// </summary>
internal static class ReturnUnitScript
{
    public static readonly string Text = GateScript.Load("reconcile.lua");

    public static (RedisKey[] Keys, RedisValue[] Args) Layout(long couponId, Guid requestId, Guid? holderRequestId) =>
        (new GateKeys(couponId).All, [requestId.ToString(), holderRequestId?.ToString() ?? ""]);

    public static bool Parse(RedisResult result) => (int)result == 1;
}
