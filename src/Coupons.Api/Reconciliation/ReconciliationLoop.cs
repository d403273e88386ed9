using Coupons.Infrastructure;
using Coupons.Catalog;
using Coupons.Gate;
using Coupons.Infrastructure.Redis;

namespace Coupons.Reconciliation;

/// <summary>
/// Runs the <see cref="Reconciler"/> for every open coupon on a timer, after setting a gate whose total is off the
/// database's to it (<see cref="CouponTotals.SyncIfOffAsync"/>: a change that failed between the gate and the row).
/// Safe on every instance at once: each repair is one atomic script, each total under the coupon's row lock.
/// </summary>
public sealed class ReconciliationLoop(
    CouponRepository coupons,
    Reconciler reconciler,
    CouponTotals totals,
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
            await totals.SyncIfOffAsync(coupon.Id, coupon.TotalQuantity, ct);
            await reconciler.ReconcileIfDriftedAsync(coupon.Id, ct);
        }
    }
}
