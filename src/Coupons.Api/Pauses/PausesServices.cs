using Coupons.Infrastructure;

namespace Coupons.Pauses;

public static class PausesServices
{
    /// <summary>
    /// The sale's kill switch: the pauses' store, this instance's view of them and the loop keeping it fresh.
    /// </summary>
    public static IServiceCollection AddPauses(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedOptions<PausesOptions>(configuration, PausesOptions.Section);
        services.AddSingleton<SalePauseStore>().AddSingleton<SaleSwitchboard>();
        services.AddHostedService<SaleSwitchboardLoop>();
        return services;
    }
}
