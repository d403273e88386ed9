using StackExchange.Redis;

namespace Coupons.Gate.Scripts;

/// <summary>
/// set-total.lua: reads or sets a verified gate's total. KEYS: the trust mark, the gate's stock and requests; ARGV[1]
/// the mode, ARGV[2] the new total, ARGV[3] the total the gate must have for a change. Answer:
/// <see cref="GateTotalChange"/>.
/// </summary>
internal static class SetTotalScript
{
    public static readonly string Text = GateScript.Load("set-total.lua");

    public static (RedisKey[] Keys, RedisValue[] Args) Layout(long couponId, string mode, long total = 0, long expected = 0)
    {
        var gate = new GateKeys(couponId);
        return ([TrustScript.Mark, gate.Stock, gate.Requests], [mode, total, expected]);
    }

    public static GateTotalChange Parse(RedisResult result)
    {
        var values = (RedisResult[])result!;
        return (int)values[0] switch
        {
            1 => new(GateTotalOutcome.Set, (long)values[1], (long)values[2]),
            0 => new(GateTotalOutcome.Read, (long)values[1], (long)values[2]),
            -1 => new(GateTotalOutcome.BelowCounted, (long)values[1], (long)values[2]),
            -4 => new(GateTotalOutcome.NotAsExpected, (long)values[1], (long)values[2]),
            -2 => new(GateTotalOutcome.NoGate, 0, 0),
            _ => new(GateTotalOutcome.NotVerified, 0, 0),
        };
    }
}
