using System.Data.Common;
using Confluent.Kafka;
using Coupons.Infrastructure;

namespace Coupons.Outbox;

/// <summary>
/// Runs <see cref="OutboxRelay"/> every <see cref="OutboxOptions.Interval"/>, and at once again while a round found a
/// full batch. A database or Kafka that is down leaves the events where they are until the next round.
/// </summary>
public sealed class OutboxRelayLoop(OutboxRelay relay, IOptions<OutboxOptions> options, TimeProvider clock, ILogger<OutboxRelayLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        while (await timer.TickAsync(stoppingToken))
        {
            var full = true;
            while (full && !stoppingToken.IsCancellationRequested)
            {
                full = false;
                await BackgroundRound.RunAsync(async ct => full = await relay.PublishPendingAsync(ct) == options.Value.BatchSize,
                    ex => ex is DbException or TimeoutException or KafkaException, logger, nameof(OutboxRelayLoop), stoppingToken);
            }
        }
    }
}
