using System.Data.Common;

namespace Coupons.Issuance;

/// <summary>Moves parked requests into Kafka once it answers again; removes each only after the broker acknowledged it.</summary>
public sealed partial class ParkedRequestRelay(
    ParkedRequests parked, IssueRequestPublisher publisher, Ops.CouponMetrics metrics, TimeProvider clock, ILogger<ParkedRequestRelay> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RelayOnceAsync(stoppingToken);
            }
            catch (DbException ex)
            {
                RelayFailed(logger, ex.Message);
            }

            await Task.Delay(Interval, clock, stoppingToken).ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }

    public async Task<int> RelayOnceAsync(CancellationToken ct)
    {
        var relayed = 0;
        foreach (var request in await parked.TakeBatchAsync(500, ct))
        {
            if (await publisher.PublishAsync(request) != PublishResult.Persisted)
            {
                break;
            }

            await parked.RemoveAsync(request.RequestId, ct);
            relayed++;
        }

        if (relayed > 0)
        {
            metrics.Relayed.Add(relayed);
            Relayed(logger, relayed);
        }

        return relayed;
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Relayed {Count} parked requests to Kafka")]
    private static partial void Relayed(ILogger logger, int count);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Parked request relay failed: {Reason}")]
    private static partial void RelayFailed(ILogger logger, string reason);
}
