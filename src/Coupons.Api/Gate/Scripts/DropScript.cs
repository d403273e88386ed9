using StackExchange.Redis;

namespace Coupons.Gate.Scripts;

/// <summary>drop.lua: throws a gate away and notes when. KEYS: the gate (stock, users, requests) and its dropped-at key.</summary>
internal static class DropScript
{
    public static readonly string Text = GateScript.Load("drop.lua");

    public static RedisKey[] Layout(GateKeys gate) => [.. gate.All, gate.DroppedAt];
}

/// <summary>
/// missing-for.lua: how long a gate has certainly been missing, by the Redis server's clock, or that it never existed.
/// KEYS: stock, dropped-at, opened-at, users, requests, the trust mark. Answer: null when the gate is there.
/// </summary>
internal static class MissingForScript
{
    public static readonly string Text = GateScript.Load("missing-for.lua");

    public static RedisKey[] Layout(GateKeys gate) => [gate.Stock, gate.DroppedAt, gate.OpenedAt, gate.Users, gate.Requests, TrustScript.Mark];

    public static GateAbsence? Parse(RedisResult result) => (long)result switch
    {
        -1 => null,
        -2 => GateAbsence.Never,
        var seconds => new GateAbsence(TimeSpan.FromSeconds(seconds), NeverExisted: false),
    };
}
