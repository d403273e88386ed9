namespace Coupons.Catalog;

public static class CatalogServices
{
    /// <summary>
    /// Coupon definitions (cached, stale-on-error) and the issuable list. <see cref="CatalogOptions"/> is set by the
    /// feature that owns its limit.
    /// </summary>
    public static IServiceCollection AddCatalog(this IServiceCollection services) =>
        services.AddSingleton<CouponRepository>().AddSingleton<CouponCatalog>().AddSingleton<IssuableCoupons>();
}
