using StackExchange.Redis;

namespace Coupons.Gate.Scripts;

/// <summary>
/// open.lua: opens a gate from staged holders in one step. KEYS: the gate (stock, users, requests), the staged users
/// and requests, the gate's dropped-at and opened-at; ARGV[1] remaining stock, ARGV[2] holders staged, ARGV[3] the
/// generation read before the database. Answer: opened, already open, or torn (reset or restarted meanwhile).
/// </summary>
internal static class OpenScript
{
    public static readonly string Text = GateScript.Load("open.lua");

    public static (RedisKey[] Keys, RedisValue[] Args) Layout(GateKeys gate, StagedHolders staged, long remaining, int holders, GateGeneration generation) =>
        ([.. gate.All, staged.Users, staged.Requests, gate.DroppedAt, gate.OpenedAt], [remaining, holders, generation.DroppedAt]);

    public static GateOpenResult Parse(RedisResult result) => (int)result switch
    {
        1 => GateOpenResult.Opened,
        0 => GateOpenResult.AlreadyOpen,
        _ => GateOpenResult.Torn,
    };
}

/// <summary>Where one opening stages its holders: keys of the coupon's hash tag with an id of their own.</summary>
internal readonly record struct StagedHolders(RedisKey Users, RedisKey Requests)
{
    public static StagedHolders For(GateKeys gate)
    {
        var id = Guid.NewGuid().ToString("N");
        return new StagedHolders(gate.Users.Append(":staged:" + id), gate.Requests.Append(":staged:" + id));
    }
}
