using Coupons.Infrastructure;
using Coupons.Admin;
using Coupons.Catalog;
using Coupons.Infrastructure.Kafka;
using Coupons.Infrastructure.Redis;
using Coupons.Issuance;
using Microsoft.Extensions.Options;

namespace Coupons.Reconciliation;

/// <summary>
/// Keeps a gate in front of every open coupon. A missing gate (an event that just started, or Redis restarted
/// empty) is rebuilt from the database, but only once the pipeline is drained and every publish that might
/// still have been in flight has had time to land, so the database already holds everything Redis had accepted.
/// Until then FCFS answers 503 GATE_NOT_READY. No app restart is ever needed.
/// </summary>
public sealed partial class GateKeeper(
    CouponRepository coupons,
    IssuanceGate gate,
    EventOpener opener,
    PipelineDrain drain,
    IOptions<KafkaOptions> kafka,
    IOptions<ReconciliationOptions> options,
    Ops.CouponMetrics metrics,
    TimeProvider clock,
    ILogger<GateKeeper> logger) : BackgroundService
{
    private readonly Dictionary<long, DateTimeOffset> _missingSince = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.GateCheckInterval, clock);
        while (await timer.TickAsync(stoppingToken))
        {
            try
            {
                await CheckAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException || RedisCircuit.IsUnavailable(ex))
            {
                // Nothing to do until the dependency is back; the next tick tries again.
            }
        }
    }

    private async Task CheckAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var settle = kafka.Value.DeliveryTimeout + TimeSpan.FromSeconds(1);
        foreach (var coupon in await coupons.ListOpenAsync(now.UtcDateTime, ct))
        {
            if (await gate.IsOpenAsync(coupon.Id))
            {
                _missingSince.Remove(coupon.Id);
                continue;
            }

            var since = _missingSince.TryGetValue(coupon.Id, out var seen) ? seen : _missingSince[coupon.Id] = now;
            if (now - since < settle || !await drain.IsDrainedAsync(ct))
            {
                continue;
            }

            if (await opener.OpenAsync(coupon.Id, ct) is { Opened: true } opened)
            {
                metrics.GateRebuilds.Add(1);
                GateRebuilt(logger, coupon.Id, opened.State.RemainingStock ?? 0, opened.State.AcceptedRequests);
            }

            _missingSince.Remove(coupon.Id);
        }
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Gate for coupon {CouponId} was missing and is rebuilt from the database: {Remaining} left, {Holders} holders")]
    private static partial void GateRebuilt(ILogger logger, long couponId, long remaining, long holders);
}
