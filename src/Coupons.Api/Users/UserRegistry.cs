using System.Globalization;
using System.IO.Hashing;
using System.Text;
using StackExchange.Redis;

namespace Coupons.Users;

/// <summary>
/// publicId → user id in Redis, so a click from a user this instance has not seen costs one Redis round trip
/// instead of a MySQL query. Only a cache: MySQL stays the source of truth, a miss falls back to it and fills
/// the entry. Spread over 64 hashes (<c>users:registry:{n}</c>) so no single hash grows to millions of fields (the gate
/// reads them inside take.lua on one Redis primary; it does not run on Redis Cluster).
/// </summary>
public sealed class UserRegistry(IConnectionMultiplexer redis)
{
    private const int Shards = 64;

    private static readonly RedisKey[] ShardKeys =
        [.. Enumerable.Range(0, Shards).Select(n => (RedisKey)("users:registry:{" + n.ToString(CultureInfo.InvariantCulture) + "}"))];

    public async Task<long?> FindAsync(string publicId)
    {
        var value = await redis.GetDatabase().HashGetAsync(KeyOf(publicId), publicId);
        return value.IsNull ? null : (long)value;
    }

    public Task RememberAsync(string publicId, long userId) =>
        redis.GetDatabase().HashSetAsync(KeyOf(publicId), publicId, userId, flags: CommandFlags.FireAndForget);

    public async Task RememberManyAsync(IEnumerable<(string PublicId, long UserId)> users)
    {
        var db = redis.GetDatabase();
        var writes = users.GroupBy(u => KeyOf(u.PublicId))
            .Select(g => db.HashSetAsync(g.Key, g.Select(u => new HashEntry(u.PublicId, u.UserId)).ToArray()));
        await Task.WhenAll(writes);
    }

    /// <summary>The registry shard holding <paramref name="publicId"/> (the gate script reads it too).</summary>
    public static RedisKey KeyOf(string publicId)
    {
        // publicIds are at most 36 ASCII characters (validated at the edge); the hash of their UTF-8 bytes picks the
        // shard.
        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(publicId.Length)];
        var length = Encoding.UTF8.GetBytes(publicId, utf8);
        return ShardKeys[XxHash32.HashToUInt32(utf8[..length]) % Shards];
    }
}
