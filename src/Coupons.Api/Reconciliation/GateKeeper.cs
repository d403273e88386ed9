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
        bool? drained = null; // asked once per round, and only if a gate is due: a lag query costs a broker round trip
        var due = new List<long>();
        foreach (var coupon in await coupons.ListOpenAsync(now.UtcDateTime, ct))
        {
            if (await gate.IsOpenAsync(coupon.Id))
            {
                _missingSince.Remove(coupon.Id);
                continue;
            }

            // While a gate is missing nothing new is accepted for its coupon, so one "drained" answer per round
            // holds for every coupon rebuilt in it (after Redis lost everything, that is every open coupon).
            var since = _missingSince.TryGetValue(coupon.Id, out var seen) ? seen : _missingSince[coupon.Id] = now;
            if (now - since < settle || !(drained ??= await drain.IsDrainedAsync(ct)))
            {
                continue;
            }

            due.Add(coupon.Id);
            _missingSince.Remove(coupon.Id);
        }

        // Newest events first and a few at a time: after Redis lost everything, one old coupon with hundreds of
        // thousands of holders must not keep the sale running now waiting behind it.
        due.Reverse();
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (couponId, token) =>
        {
            if (await opener.OpenAsync(couponId, token) is { Opened: true } opened)
            {
                metrics.GateRebuilds.Add(1);
                GateRebuilt(logger, couponId, opened.State.RemainingStock ?? 0, opened.State.AcceptedRequests);
            }
        });
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Gate for coupon {CouponId} was missing and is rebuilt from the database: {Remaining} left, {Holders} holders")]
    private static partial void GateRebuilt(ILogger logger, long couponId, long remaining, long holders);
}
