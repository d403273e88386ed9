using StackExchange.Redis;

namespace Coupons.Gate.Scripts;

/// <summary>
/// trust.lua: the gates' trust mark. KEYS[1] the mark; ARGV[1] <c>read</c> or <c>reset</c>; with <c>reset</c>, KEYS[2]
/// when it is set, KEYS[3..] are the gates to throw away, each as <see cref="DropScript.Layout"/> lays it out. Answers:
/// read {this server's run_id, the mark or ''}; reset 1 when this call reset, 0 when the gates were already trusted.
/// </summary>
internal static class TrustScript
{
    public static readonly string Text = GateScript.Load("trust.lua");

    /// <summary>The run_id of the Redis server whose gates were last verified.</summary>
    public static readonly RedisKey Mark = "gates:trusted-run-id";

    /// <summary>When the mark was set (Redis server time, seconds): see missing-for.lua.</summary>
    public static readonly RedisKey VerifiedAt = "gates:trusted-at";

    public static (RedisKey[] Keys, RedisValue[] Args) ReadLayout() => ([Mark], ["read"]);

    public static (RedisKey[] Keys, RedisValue[] Args) ResetLayout(IEnumerable<long> couponIds) =>
        ([Mark, VerifiedAt, .. couponIds.SelectMany(id => DropScript.Layout(new GateKeys(id)))], ["reset"]);

    public static GateTrust ParseRead(RedisResult result)
    {
        var answer = (RedisResult[])result!;
        return new GateTrust((string)answer[0]!, (string)answer[1]!);
    }

    public static bool ParseReset(RedisResult result) => (int)result == 1;
}
