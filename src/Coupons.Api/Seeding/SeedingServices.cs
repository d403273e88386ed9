using Coupons.Infrastructure;

namespace Coupons.Seeding;

public static class SeedingServices
{
    /// <summary>
    /// The schema (and the demo data when asked). Register it before any other hosted service: hosted services start in
    /// order, so the store is ready before the consumer runs and before Kestrel listens.
    /// </summary>
    public static IServiceCollection AddSeeding(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedOptions<SeedOptions>(configuration, SeedOptions.Section);
        return services.AddSingleton<StoreInitializer>().AddHostedService(sp => sp.GetRequiredService<StoreInitializer>());
    }
}
