using Coupons.Infrastructure;
using Coupons.Catalog;
using Coupons.Infrastructure.Redis;

namespace Coupons.Reconciliation;

/// <summary>
/// Runs the <see cref="Reconciler"/> for every open coupon on a timer. Safe on every instance at once: each repair is
/// one atomic script.
/// </summary>
public sealed class ReconciliationLoop(
    CouponRepository coupons,
    Reconciler reconciler,
    IOptions<ReconciliationOptions> options,
    TimeProvider clock,
    ILogger<ReconciliationLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        while (await timer.TickAsync(stoppingToken))
        {
            await BackgroundRound.RunAsync(ReconcileOpenCouponsAsync, ex => ex is System.Data.Common.DbException || RedisCircuit.IsUnavailable(ex),
                logger, nameof(ReconciliationLoop), stoppingToken);
        }
    }

    private async Task ReconcileOpenCouponsAsync(CancellationToken ct)
    {
        foreach (var coupon in await coupons.ListOpenAsync(clock.GetUtcNow().UtcDateTime, ct))
        {
            await reconciler.ReconcileIfDriftedAsync(coupon.Id, ct);
        }
    }
}
