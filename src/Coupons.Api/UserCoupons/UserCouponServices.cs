namespace Coupons.UserCoupons;

public static class UserCouponServices
{
    public static IServiceCollection AddUserCoupons(this IServiceCollection services) =>
        services.AddSingleton<UserCouponRepository>();
}
