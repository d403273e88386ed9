using Coupons.Infrastructure;

namespace Coupons.Reconciliation;

public static class ReconciliationServices
{
    /// <summary>
    /// Gate upkeep (missing gates rebuilt, a Redis that lost its data distrusted) and drift repair between Redis and
    /// the database.
    /// </summary>
    public static IServiceCollection AddReconciliation(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedOptions<ReconciliationOptions>(configuration, ReconciliationOptions.Section);
        services.AddSingleton<Reconciler>().AddSingleton<GateTrustVerifier>().AddSingleton<GateOpening>();
        return services.AddHostedService<GateKeeperLoop>().AddHostedService<ReconciliationLoop>();
    }
}
