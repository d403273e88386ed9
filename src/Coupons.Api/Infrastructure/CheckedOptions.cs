namespace Coupons.Infrastructure;

public static class CheckedOptions
{
    /// <summary>
    /// Binds <typeparamref name="T"/> to its configuration section and checks it (its data annotations, plus whatever
    /// the caller adds) when the app starts: a bad setting stops the start with its name, not the first request.
    /// </summary>
    public static OptionsBuilder<T> AddCheckedOptions<T>(this IServiceCollection services, IConfiguration configuration, string section)
        where T : class =>
        services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateDataAnnotations().ValidateOnStart();
}
