using StackExchange.Redis;

namespace Coupons.Gate.Scripts;

/// <summary>
/// restore-holder.lua: puts a database holder back into the gate. KEYS: the gate (stock, users, requests); ARGV[1] user
/// id, ARGV[2] the holder's requestId. Answer: 1 restored, 0 already known.
/// </summary>
internal static class RestoreHolderScript
{
    public static readonly string Text = GateScript.Load("restore-holder.lua");

    public static (RedisKey[] Keys, RedisValue[] Args) Layout(long couponId, long userId, Guid holderRequestId) =>
        (new GateKeys(couponId).All, [userId, holderRequestId.ToString()]);

    public static bool Parse(RedisResult result) => (int)result == 1;
}
