using Microsoft.Extensions.Caching.Memory;

namespace Coupons.Catalog;

/// <summary>
/// Coupon definitions for the issue path, cached in-process for a moment so a flash sale does not
/// turn into one DB query per click. Only the definition (window, total) is used from here: live
/// stock comes from the Redis gate and the database stays the final arbiter.
/// </summary>
public sealed class CouponCatalog(CouponRepository coupons, IMemoryCache cache)
{
    private static readonly TimeSpan FoundTtl = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MissingTtl = TimeSpan.FromSeconds(1);

    public async ValueTask<Coupon?> FindAsync(long couponId, CancellationToken ct)
    {
        var key = (nameof(CouponCatalog), couponId);
        if (cache.TryGetValue(key, out Coupon? cached))
        {
            return cached;
        }

        var coupon = await coupons.FindAsync(couponId, ct);
        cache.Set(key, coupon, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = coupon is null ? MissingTtl : FoundTtl, Size = 1 });
        return coupon;
    }

    public void Forget(long couponId) => cache.Remove((nameof(CouponCatalog), couponId));
}
