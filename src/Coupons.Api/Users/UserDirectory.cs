using Coupons.Infrastructure.Redis;
using Microsoft.Extensions.Caching.Memory;

namespace Coupons.Users;

/// <summary>
/// publicId → internal user id for the hot path: the Redis registry, then MySQL (which fills the registry).
/// Found ids are not kept in process: a sale brings hundreds of thousands of distinct users, each clicking a few
/// times, so a local copy would cost memory in proportion to the crowd for few hits (the registry lookup rides
/// the same multiplexed Redis connection as the gate). Unknown ids are remembered briefly in process, so a flood
/// of made-up ids cannot turn into a flood of MySQL queries. Redis trouble never fails a lookup: it falls
/// through to MySQL.
/// </summary>
public sealed class UserDirectory(UserRepository users, UserRegistry registry, RedisCircuit redisCircuit, IMemoryCache cache)
{
    private static readonly TimeSpan MissingTtl = TimeSpan.FromSeconds(2);

    /// <summary>For reads that must work without Redis (a user's coupons): Redis trouble falls through to MySQL.</summary>
    public async ValueTask<long?> FindIdAsync(string publicId, CancellationToken ct) =>
        await FromRegistryAsync(publicId) ?? await FromDatabaseAsync(publicId, ct);

    /// <summary>
    /// For the FCFS path, which needs Redis for the gate anyway: Redis trouble is thrown (the caller answers 503)
    /// instead of turning a Redis outage into one MySQL query per click. The call goes through the Redis circuit,
    /// so it is also what lets the circuit probe Redis again and close.
    /// </summary>
    public async ValueTask<long?> FindIdForIssueAsync(string publicId, CancellationToken ct) =>
        await redisCircuit.Pipeline.ExecuteAsync(async _ => await registry.FindAsync(publicId), ct) ?? await FromDatabaseAsync(publicId, ct);

    /// <summary>Not in the registry (never seen, or Redis lost it): MySQL decides, and fills the registry.</summary>
    private async Task<long?> FromDatabaseAsync(string publicId, CancellationToken ct)
    {
        var unknownKey = (nameof(UserDirectory), publicId);
        if (cache.TryGetValue(unknownKey, out _))
        {
            return null;
        }

        var id = await users.FindIdAsync(publicId, ct);
        if (id is null)
        {
            // Briefly: a user created a moment later is found soon.
            cache.Set(unknownKey, true, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = MissingTtl, Size = 1 });
            return null;
        }

        await RememberAsync(publicId, id.Value);
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
