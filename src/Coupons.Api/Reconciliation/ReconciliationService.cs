using Coupons.Infrastructure;
using Coupons.Catalog;
using Coupons.Infrastructure.Redis;
using Microsoft.Extensions.Options;

namespace Coupons.Reconciliation;

/// <summary>Runs the <see cref="Reconciler"/> for every open coupon on a timer. Safe on every instance at once: each repair is one atomic script.</summary>
public sealed class ReconciliationService(
    CouponRepository coupons,
    Reconciler reconciler,
    IOptions<ReconciliationOptions> options,
    TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        while (await timer.TickAsync(stoppingToken))
        {
            try
            {
                foreach (var coupon in await coupons.ListOpenAsync(clock.GetUtcNow().UtcDateTime, stoppingToken))
                {
                    await reconciler.ReconcileIfDriftedAsync(coupon.Id, stoppingToken);
                }
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException || RedisCircuit.IsUnavailable(ex))
            {
                // A dependency is down: drift cannot be judged now; the next round will.
            }
        }
    }
}
