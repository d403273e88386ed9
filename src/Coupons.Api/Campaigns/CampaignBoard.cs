using Coupons.Catalog;
using Coupons.Gate;
using Coupons.Infrastructure.Redis;
using Coupons.Pauses;

namespace Coupons.Campaigns;

/// <summary>
/// The campaigns as their managers see them: each coupon's window and state, with the database's issued count and,
/// for a sale in its window, the gate's stock. The gates of a page are read at once (one round trip per gate, all in
/// flight together), then the trust mark, so a Redis that restarted meanwhile is not believed; a gate that cannot be
/// read leaves its figures null with the reason.
/// </summary>
public sealed class CampaignBoard(CouponRepository coupons, GateInspector gate, SalePauseStore pauses, TimeProvider clock)
{
    public const int MaxListed = 200;

    public async Task<IReadOnlyList<CampaignView>> ListAsync(int max, CancellationToken ct) =>
        await ViewAsync(await coupons.ListNewestAsync(Math.Clamp(max, 1, MaxListed), ct), ct);

    public async Task<CampaignView?> FindAsync(long couponId, CancellationToken ct) =>
        await coupons.FindAsync(couponId, ct) is { } coupon ? (await ViewAsync([coupon], ct))[0] : null;

    private async Task<IReadOnlyList<CampaignView>> ViewAsync(IReadOnlyList<Coupon> listed, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        // Only a sale in its window has a gate anyone keeps: an ended one's is left as it was (reconciliation and the
        // trust check look after open sales), and its figures would be stale.
        var inWindow = listed.Where(c => c.IsOpenAt(now)).ToList();
        var (states, unread) = await ReadGatesAsync(inWindow);
        // From the database, the record every instance follows (each within a second), not this instance's view.
        var paused = (await pauses.ListAsync(ct)).ToDictionary(p => p.CouponId);
        return [.. listed.Select(coupon => View(coupon, now, states.GetValueOrDefault(coupon.Id), unread,
            SalePause.StoppingSale(paused, coupon.Id)))];
    }

    private async Task<(Dictionary<long, GateState> States, string? Unread)> ReadGatesAsync(IReadOnlyList<Coupon> inWindow)
    {
        if (inWindow.Count == 0)
        {
            return ([], null);
        }

        try
        {
            var states = await Task.WhenAll(inWindow.Select(c => gate.ReadStateAsync(c.Id)));
            // Read after the gates, as the consistency report does: a Redis that restarted while they were read is
            // not believed.
            return (await gate.ReadTrustAsync()).Trusted
                ? (states.ToDictionary(s => s.CouponId), null)
                : ([], "Redis restarted, failed over or was restored: its gates are not verified yet, and take no click until they are");
        }
        catch (Exception ex) when (RedisCircuit.IsUnavailable(ex))
        {
            return ([], $"the gate could not be read ({ex.GetType().Name}): clicks are refused until Redis answers");
        }
    }

    private static CampaignView View(Coupon coupon, DateTime now, GateState? state, string? unread, SalePause? pause)
    {
        var stock = state is { Open: true } ? state.RemainingStock : null;
        var remaining = stock is { } s ? Math.Max(0, s) : (long?)null; // below zero while a restored holder waits
        return new CampaignView
        {
            CouponId = coupon.Id,
            Name = coupon.Name,
            State = CampaignState.Of(coupon, now, stock, paused: pause is not null),
            // Stored as UTC; the driver hands them back unlabelled, and JSON would then carry no zone.
            StartDate = DateTime.SpecifyKind(coupon.StartDate, DateTimeKind.Utc),
            EndDate = DateTime.SpecifyKind(coupon.EndDate, DateTimeKind.Utc),
            Total = coupon.TotalQuantity,
            Issued = coupon.IssuedQuantity,
            Remaining = remaining,
            InFlight = remaining is { } left ? Math.Max(0, coupon.TotalQuantity - left - coupon.IssuedQuantity) : null,
            Unread = remaining is not null ? null
                : now < coupon.StartDate ? "the sale has not started: its gate opens with it"
                : now >= coupon.EndDate ? "the sale has ended: its gate is no longer kept"
                : unread ?? "no gate: it is being rebuilt or was lost with Redis, and clicks are refused until the gate keeper opens it",
            Pause = pause is null ? null : ViewOf(pause),
        };
    }

    public static SalePauseView ViewOf(SalePause pause) => new()
    {
        CouponId = pause.CoversEverySale ? null : pause.CouponId, PausedAt = pause.PausedAt, PausedBy = pause.PausedBy, Reason = pause.Reason,
    };
}
