namespace Coupons.Health;

public static class HealthServices
{
    /// <summary>
    /// The health checks behind /actuator/health and /health/ready, and the monitor that turns them into metrics.
    /// </summary>
    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        var timeout = TimeSpan.FromSeconds(2);
        // Dependency states as metrics and transition logs, checked in the background whether or not anyone asks.
        services.AddHostedService<DependencyMonitorLoop>();
        services.AddSingleton<KafkaHealthCheck>();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("db", tags: [HealthApi.ReadyTag], timeout: timeout)
            .AddCheck<RedisHealthCheck>("redis", tags: [HealthApi.ReadyTag], timeout: timeout)
            .AddCheck<KafkaHealthCheck>("kafka", tags: [HealthApi.ReadyTag], timeout: timeout)
            .AddCheck<ConsumerHealthCheck>("consumer", tags: [HealthApi.ReadyTag], timeout: timeout);
        return services;
    }
}
