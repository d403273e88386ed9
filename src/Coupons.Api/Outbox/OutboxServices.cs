using Coupons.Infrastructure;

namespace Coupons.Outbox;

public static class OutboxServices
{
    /// <summary>
    /// The shop's events: written to the outbox by the changes they tell of, published by the relay (unless
    /// <see cref="OutboxOptions.RunRelay"/> is off on this instance).
    /// </summary>
    public static IServiceCollection AddOutbox(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedOptions<OutboxOptions>(configuration, OutboxOptions.Section);
        services.AddSingleton<OutboxRelay>();
        if (configuration.GetValue($"{OutboxOptions.Section}:{nameof(OutboxOptions.RunRelay)}", true))
        {
            services.AddHostedService<OutboxRelayLoop>();
        }

        return services;
    }
}
