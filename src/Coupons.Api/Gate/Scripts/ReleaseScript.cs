using StackExchange.Redis;

namespace Coupons.Gate.Scripts;

/// <summary>
/// release.lua: gives back the unit a request took. KEYS: the gate (stock, users, requests); ARGV[1] requestId. Answer:
/// 1 released, 0 nothing.
/// </summary>
internal static class ReleaseScript
{
    public static readonly string Text = GateScript.Load("release.lua");

    public static (RedisKey[] Keys, RedisValue[] Args) Layout(long couponId, Guid requestId) =>
        (new GateKeys(couponId).All, [requestId.ToString()]);

    public static bool Parse(RedisResult result) => (int)result == 1;
}
