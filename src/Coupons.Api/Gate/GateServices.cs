using Coupons.Infrastructure;

namespace Coupons.Gate;

public static class GateServices
{
    /// <summary>
    /// The Redis stock gate: the click's take and release, reads for audits, repairs, batching, and the opener.
    /// </summary>
    public static IServiceCollection AddGate(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedOptions<GateOptions>(configuration, GateOptions.Section);
        services.AddSingleton<StockGate>().AddSingleton<GateInspector>().AddSingleton<GateRepair>().AddSingleton<EventOpener>().AddSingleton<CouponTotals>();
        services.AddSingleton<GateBatcher>();
        // Takes whose answer was lost: resolved in the background once Redis answers again.
        services.AddSingleton<UncertainTakesLoop>().AddHostedService(sp => sp.GetRequiredService<UncertainTakesLoop>());
        return services;
    }
}
