using System.Threading.RateLimiting;
using Coupons.Infrastructure.Redis;
using Microsoft.Extensions.Caching.Memory;

namespace Coupons.Users;

/// <summary>
/// publicId → internal user id: the Redis registry, then MySQL (which fills the registry). An FCFS click reads the
/// registry inside the gate script (one round trip) and comes here only for users the registry lacks. Found ids are not
/// kept in process: a sale brings hundreds of thousands of distinct users, each clicking a few times, so a local copy
/// would cost memory in proportion to the crowd for few hits. Unknown ids are remembered briefly in process, and MySQL
/// lookups go through a bulkhead (<see cref="UserDirectoryOptions.MaxConcurrentLookups"/>), so a flood of made-up ids
/// cannot turn into a flood of MySQL queries: beyond it they are refused (<see cref="BulkheadFullException"/>, 429)
/// instead of taking the pool from everyone else.
/// </summary>
public sealed class UserDirectory(UserRepository users, UserRegistry registry, RedisCircuit redisCircuit, IMemoryCache cache, IOptions<UserDirectoryOptions> options)
    : IDisposable
{
    private static readonly TimeSpan MissingTtl = TimeSpan.FromSeconds(2);

    private readonly ConcurrencyLimiter _lookups = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = options.Value.MaxConcurrentLookups,
        QueueLimit = options.Value.MaxConcurrentLookups * 10,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    /// <summary>
    /// For reads that must work without Redis (a user's coupons): Redis trouble falls through to MySQL.
    /// </summary>
    public async ValueTask<long?> FindIdAsync(string publicId, CancellationToken ct)
    {
        if (await FromRegistryAsync(publicId) is { } registered)
        {
            return registered;
        }

        var id = await FindInDatabaseAsync(publicId, ct);
        if (id is not null)
        {
            await RememberAsync(publicId, id.Value);
        }

        return id;
    }

    /// <summary>
    /// MySQL only, for a user the registry does not know (the FCFS gate script checks the registry itself and
    /// registers the id it is given). Unknown ids are remembered briefly, so made-up ids cannot flood MySQL.
    /// </summary>
    public async Task<long?> FindInDatabaseAsync(string publicId, CancellationToken ct)
    {
        var unknownKey = (nameof(UserDirectory), publicId);
        if (cache.TryGetValue(unknownKey, out _))
        {
            return null;
        }

        using var lease = await _lookups.AcquireAsync(1, ct);
        if (!lease.IsAcquired)
        {
            throw new BulkheadFullException("user lookups");
        }

        var id = await users.FindIdAsync(publicId, ct);
        if (id is null)
        {
            // Briefly: a user created a moment later is found soon.
            cache.Set(unknownKey, true, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = MissingTtl, Size = 1 });
        }

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

    public void Dispose() => _lookups.Dispose();
}

/// <summary>
/// Too many MySQL lookups of users at once (e.g. a flood of made-up ids): answered 429, retry shortly.
/// </summary>

/// <summary>
/// The directory's limits; the composition root sets them from the Issuance settings (one place to configure).
/// </summary>
public sealed class UserDirectoryOptions
{
    /// <summary>
    /// MySQL lookups of users the Redis registry lacks, at once per instance (Issuance:MaxConcurrentUserLookups).
    /// </summary>
    public int MaxConcurrentLookups { get; set; } = 16;
}
