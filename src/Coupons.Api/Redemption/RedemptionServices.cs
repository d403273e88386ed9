namespace Coupons.Redemption;

public static class RedemptionServices
{
    /// <summary>Using a coupon at checkout and restoring it on cancel (the order service's side).</summary>
    public static IServiceCollection AddRedemption(this IServiceCollection services) =>
        services.AddSingleton<RedemptionStore>().AddSingleton<RedemptionMetrics>();
}
