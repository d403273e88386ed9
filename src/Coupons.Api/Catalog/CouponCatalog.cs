using System.Data.Common;
using Microsoft.Extensions.Caching.Memory;

namespace Coupons.Catalog;

/// <summary>
/// Coupon definitions for the issue path, cached in-process for a moment so a flash sale does not turn into one DB
/// query per click. Only the definition (window, total) is used from here: live stock comes from the Redis gate and the
/// database stays the final arbiter. When MySQL cannot be reached, a definition read earlier is served stale, so the
/// sale goes on through a MySQL outage (the gate decides, accepted requests wait in Kafka, the consumer writes them
/// when MySQL returns), for at most <see cref="CatalogOptions.MaxStale"/>; after that clicks are refused with 503.
/// </summary>
public sealed partial class CouponCatalog(CouponRepository coupons, IMemoryCache cache, IOptions<CatalogOptions> options, TimeProvider clock, ILogger<CouponCatalog> logger)
{
    /// <summary>
    /// A second: a window moved or a sale ended through another instance is honoured here within it (issue 23), at
    /// one query per coupon per second, not per click.
    /// </summary>
    private static readonly TimeSpan FoundTtl = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MissingTtl = TimeSpan.FromSeconds(1);

    /// <exception cref="DbException">MySQL cannot be reached and no definition read within the allowed outage is at
    /// hand.</exception>
    public async ValueTask<Coupon?> FindAsync(long couponId, CancellationToken ct)
    {
        var key = (nameof(CouponCatalog), couponId);
        var now = clock.GetUtcNow();
        cache.TryGetValue(key, out Definition? known);
        if (known is not null && now - known.ReadAt < (known.Coupon is null ? MissingTtl : FoundTtl))
        {
            return known.Coupon;
        }

        try
        {
            var coupon = await coupons.FindAsync(couponId, ct);
            // Kept past its freshness so it can stand in during an outage; a missing coupon is not worth keeping.
            var keep = coupon is null ? MissingTtl : options.Value.MaxStale + FoundTtl;
            cache.Set(key, new Definition(coupon, now), new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = keep, Size = 1 });
            return coupon;
        }
        catch (DbException ex) when (known?.Coupon is not null && now - known.ReadAt <= options.Value.MaxStale)
        {
            ServedStale(logger, couponId, (now - known.ReadAt).TotalSeconds, ex.GetType().Name);
            return known.Coupon;
        }
    }

    public void Forget(long couponId) => cache.Remove((nameof(CouponCatalog), couponId));

    private sealed record Definition(Coupon? Coupon, DateTimeOffset ReadAt);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Coupon {CouponId}: MySQL unreachable ({ExceptionType}), serving the definition read {AgeSeconds:F0} s ago")]
    private static partial void ServedStale(ILogger logger, long couponId, double ageSeconds, string exceptionType);
}
