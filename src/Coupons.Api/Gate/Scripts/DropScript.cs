using StackExchange.Redis;

namespace Coupons.Gate.Scripts;

/// <summary>
/// drop.lua: throws a gate away and notes when. KEYS: the gate (stock, users, requests) and its dropped-at key.
/// </summary>
internal static class DropScript
{
    public static readonly string Text = GateScript.Load("drop.lua");

    public static RedisKey[] Layout(GateKeys gate) => [.. gate.All, gate.DroppedAt];
}

/// <summary>
/// missing-for.lua: how long a gate has certainly been missing, by the Redis server's clock, or that it never existed.
/// KEYS: stock, dropped-at, opened-at, users, requests, the trust mark and when it was set; ARGV: the sale's start and
/// the clock-skew margin. Answer: null when the gate is there.
/// </summary>
internal static class MissingForScript
{
    public static readonly string Text = GateScript.Load("missing-for.lua");

    public static (RedisKey[] Keys, RedisValue[] Args) Layout(GateKeys gate, DateTime saleStart, TimeSpan clockSkewMargin) =>
        ([gate.Stock, gate.DroppedAt, gate.OpenedAt, gate.Users, gate.Requests, TrustScript.Mark, TrustScript.VerifiedAt],
            [new DateTimeOffset(DateTime.SpecifyKind(saleStart, DateTimeKind.Utc)).ToUnixTimeSeconds(), (long)clockSkewMargin.TotalSeconds]);

    public static GateAbsence? Parse(RedisResult result)
    {
        var answer = (RedisResult[])result!;
        return (long)answer[0] switch
        {
            -1 => null,
            -2 => GateAbsence.Never,
            var seconds => new GateAbsence(TimeSpan.FromSeconds(seconds), NeverExisted: false, (string?)answer[1] ?? ""),
        };
    }
}
