using System.Threading.RateLimiting;
using Coupons.Infrastructure;
using Microsoft.AspNetCore.RateLimiting;

namespace Coupons.Redemption;

public static class RedemptionServices
{
    public const string Bulkhead = "redeem";

    /// <summary>Using a coupon at checkout and restoring it on cancel (the order service's side), with their
    /// bulkhead.</summary>
    public static IServiceCollection AddRedemption(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedOptions<RedemptionOptions>(configuration, RedemptionOptions.Section);
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RedemptionOptions>>((limiter, redemption) =>
            limiter.AddConcurrencyLimiter(Bulkhead, o =>
            {
                o.PermitLimit = redemption.Value.MaxConcurrent;
                o.QueueLimit = redemption.Value.MaxQueued;
                o.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            }));
        return services.AddSingleton<RedemptionStore>().AddSingleton<RedemptionMetrics>();
    }
}
