using Coupons.Infrastructure.Redis;
using Microsoft.Extensions.Caching.Memory;

namespace Coupons.Users;

/// <summary>
/// publicId → internal user id for the hot path: in-process cache, then the Redis registry, then MySQL (which
/// fills both). Users are immutable once created, so a found id is cached for long; an unknown id only briefly,
/// so a user created a moment ago is found soon. Redis trouble never fails a lookup: it falls through to MySQL.
/// </summary>
public sealed class UserDirectory(UserRepository users, UserRegistry registry, RedisCircuit redisCircuit, IMemoryCache cache)
{
    private static readonly TimeSpan FoundTtl = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MissingTtl = TimeSpan.FromSeconds(2);

    public async ValueTask<long?> FindIdAsync(string publicId, CancellationToken ct)
    {
        var key = (nameof(UserDirectory), publicId);
        if (cache.TryGetValue(key, out long? cached))
        {
            return cached;
        }

        var id = await FromRegistryAsync(publicId);
        if (id is null)
        {
            id = await users.FindIdAsync(publicId, ct);
            if (id is not null)
            {
                await RememberAsync(publicId, id.Value);
            }
        }

        cache.Set(key, id, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = id is null ? MissingTtl : FoundTtl, Size = 1 });
        return id;
    }

    private async Task<long?> FromRegistryAsync(string publicId)
    {
        try
        {
            return await redisCircuit.Pipeline.ExecuteAsync(async _ => await registry.FindAsync(publicId));
        }
        catch (Exception ex) when (RedisCircuit.IsUnavailable(ex))
        {
            return null;
        }
    }

    private async Task RememberAsync(string publicId, long userId)
    {
        try
        {
            await registry.RememberAsync(publicId, userId);
        }
        catch (Exception ex) when (RedisCircuit.IsUnavailable(ex))
        {
            // Only a cache; the next lookup of this user goes to MySQL again.
        }
    }
}
