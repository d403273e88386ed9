using StackExchange.Redis;

namespace Coupons.Gate.Scripts;

/// <summary>drop.lua: throws a gate away and notes when. KEYS: the gate (stock, users, requests) and its dropped-at key.</summary>
internal static class DropScript
{
    public static readonly string Text = GateScript.Load("drop.lua");

    public static RedisKey[] Layout(GateKeys gate) => [.. gate.All, gate.DroppedAt];
}

/// <summary>
/// missing-for.lua: how long a gate has certainly been missing, by the Redis server's clock. KEYS: stock, dropped-at.
/// Answer: null when the gate is there, else a lower bound of the time it has been missing.
/// </summary>
internal static class MissingForScript
{
    public static readonly string Text = GateScript.Load("missing-for.lua");

    public static RedisKey[] Layout(GateKeys gate) => [gate.Stock, gate.DroppedAt];

    public static TimeSpan? Parse(RedisResult result) => (long)result is var seconds and >= 0 ? TimeSpan.FromSeconds(seconds) : null;
}
