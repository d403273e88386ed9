using StackExchange.Redis;

namespace Coupons.Infrastructure.Redis;

/// <summary>
/// Keeps <see cref="RedisClock"/>'s offset fresh: once at start, then every few seconds (one <c>TIME</c> call).
/// </summary>
public sealed class RedisClockSyncLoop(RedisClock clock, IConnectionMultiplexer redis, TimeProvider local, ILogger<RedisClockSyncLoop> logger)
    : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, local);
        do
        {
            await BackgroundRound.RunAsync(_ => clock.MeasureAsync(redis.GetDatabase()), RedisCircuit.IsUnavailable, logger, nameof(RedisClockSyncLoop),
                stoppingToken);
        }
        while (await timer.TickAsync(stoppingToken));
    }
}
