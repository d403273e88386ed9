namespace Coupons.Users;

public static class UserServices
{
    /// <summary>
    /// Users by publicId: the Redis registry first, MySQL behind it. <see cref="UserDirectoryOptions"/> is set by the
    /// feature that owns its limit.
    /// </summary>
    public static IServiceCollection AddUsers(this IServiceCollection services) =>
        services.AddSingleton<UserRepository>().AddSingleton<UserRegistry>().AddSingleton<UserDirectory>();
}
