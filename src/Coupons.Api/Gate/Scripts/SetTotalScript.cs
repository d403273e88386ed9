using StackExchange.Redis;

namespace Coupons.Gate.Scripts;

/// <summary>
/// set-total.lua: sets a verified gate's total. KEYS: the trust mark, the gate's stock and requests; ARGV[1] the new
/// total. Answer: <see cref="GateTotalChange"/>.
/// </summary>
internal static class SetTotalScript
{
    public static readonly string Text = GateScript.Load("set-total.lua");

    public static (RedisKey[] Keys, RedisValue[] Args) Layout(long couponId, long total)
    {
        var gate = new GateKeys(couponId);
        return ([TrustScript.Mark, gate.Stock, gate.Requests], [total]);
    }

    public static GateTotalChange Parse(RedisResult result)
    {
        var values = (RedisResult[])result!;
        return (int)values[0] switch
        {
            1 => new(GateTotalOutcome.Set, (long)values[1], (long)values[2]),
            -1 => new(GateTotalOutcome.BelowCounted, (long)values[1], (long)values[2]),
            -2 => new(GateTotalOutcome.NoGate, 0, 0),
            _ => new(GateTotalOutcome.NotVerified, 0, 0),
        };
    }
}
