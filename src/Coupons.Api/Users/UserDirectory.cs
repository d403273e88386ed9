using Microsoft.Extensions.Caching.Memory;

namespace Coupons.Users;

/// <summary>
/// publicId → internal user id, cached in-process. Users are immutable once created, so a found id is
/// cached for long; an unknown id only briefly, so a user created a moment ago is found soon.
/// </summary>
public sealed class UserDirectory(UserRepository users, IMemoryCache cache)
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

        var id = await users.FindIdAsync(publicId, ct);
        cache.Set(key, id, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = id is null ? MissingTtl : FoundTtl, Size = 1 });
        return id;
    }
}
