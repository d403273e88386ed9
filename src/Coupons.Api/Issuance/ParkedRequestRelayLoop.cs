using System.Data.Common;
using Coupons.Consumer;

namespace Coupons.Issuance;

/// <summary>
/// Moves parked requests into Kafka once it answers again; removes each only after the broker acknowledged it. A row
/// that cannot be read as a request goes to the dead-letter topic with its reason instead (and then leaves): no row
/// stops the relay, and nothing that goes wrong in one round stops the app (the next round, a second later, tries
/// again).
/// </summary>
public sealed partial class ParkedRequestRelayLoop(
    ParkedRequests parked, IssueRequestPublisher publisher, DeadLetterWriter deadLetters, Ops.CouponMetrics metrics, TimeProvider clock,
    ILogger<ParkedRequestRelayLoop> logger)
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
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                RelayRoundFailed(logger, ex);
            }

            await Task.Delay(Interval, clock, stoppingToken).ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }

    public async Task<int> RelayOnceAsync(CancellationToken ct)
    {
        var relayed = 0;
        foreach (var row in await parked.TakeBatchAsync(500, ct))
        {
            if (row.Request is not { } request)
            {
                await deadLetters.WriteParkedAsync(row.RequestId, row.Payload, row.Reason, row.Error);
                await parked.RemoveAsync(row.RequestId, ct);
                continue;
            }

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

    [LoggerMessage(EventId = 4103, Level = LogLevel.Error, Message = "Parked request relay round failed; the next round tries again")]
    private static partial void RelayRoundFailed(ILogger logger, Exception exception);
}
