using StackExchange.Redis;

namespace Coupons.Infrastructure.Redis;

public static class RedisServices
{
    public static IServiceCollection AddRedis(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedOptions<RedisOptions>(configuration, RedisOptions.Section)
            .PostConfigure(o => o.Configuration = StoreAddress.Redis.Read(configuration) ?? o.Configuration)
            .Validate(o => string.IsNullOrEmpty(o.SslHost) || o.UsesTls, "Redis: Redis__SslHost is set, but neither Redis__Ssl=true nor ssl=true in ConnectionStrings__redis turns TLS on")
            .Validate(o => !o.Embedded || !o.Ssl, "Redis: the embedded Garnet (Redis__Embedded=true) speaks plaintext only; set Redis__Ssl=false");

        services.AddSingleton<IConnectionMultiplexer>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RedisOptions>>().Value;
            var config = options.ApplySecurity(ConfigurationOptions.Parse(options.Configuration));
            var timeoutMs = (int)options.OperationTimeout.TotalMilliseconds;
            // Start even when Redis is down and keep reconnecting in the background: the app must
            // come up and serve DB-backed reads without Redis, and heal without a restart.
            config.AbortOnConnectFail = false;
            config.ConnectTimeout = Math.Max(timeoutMs, 1000);
            config.SyncTimeout = timeoutMs;
            config.AsyncTimeout = timeoutMs;
            config.ConnectRetry = 1;
            // While disconnected, fail commands at once instead of queueing them until they time out:
            // no request waits on a dead Redis.
            config.BacklogPolicy = BacklogPolicy.FailFast;
            config.ReconnectRetryPolicy = new LinearRetry(500);
            config.ClientName = "coupons-api";
            return ConnectionMultiplexer.Connect(config);
        });
        services.AddSingleton<RedisCircuit>();
        services.AddSingleton<RedisClock>();
        services.AddHostedService<RedisClockSyncLoop>();
        return services;
    }
}
