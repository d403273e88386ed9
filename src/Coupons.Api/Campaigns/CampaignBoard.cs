using Coupons.Catalog;
using Coupons.Gate;
using Coupons.Infrastructure.Redis;

namespace Coupons.Campaigns;

/// <summary>
/// The campaigns as their managers see them: each coupon's window and state, with the database's issued count and the
/// gate's stock. One Redis read per campaign; a gate that cannot be read leaves its figures null with the reason.
/// </summary>
public sealed class CampaignBoard(CouponRepository coupons, GateInspector gate, TimeProvider clock)
{
    public const int MaxListed = 200;

    public async Task<IReadOnlyList<CampaignView>> ListAsync(int max, CancellationToken ct)
    {
        var listed = await coupons.ListNewestAsync(Math.Clamp(max, 1, MaxListed), ct);
        var trust = await ReadTrustAsync();
        var views = new List<CampaignView>(listed.Count);
        foreach (var coupon in listed)
        {
            views.Add(await ViewAsync(coupon, trust));
        }

        return views;
    }

    public async Task<CampaignView?> FindAsync(long couponId, CancellationToken ct) =>
        await coupons.FindAsync(couponId, ct) is { } coupon ? await ViewAsync(coupon, await ReadTrustAsync()) : null;

    private async Task<CampaignView> ViewAsync(Coupon coupon, GateReading trust)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var reading = trust;
        GateState? state = null;
        if (reading.Unread is null)
        {
            try
            {
                state = await gate.ReadStateAsync(coupon.Id);
            }
            catch (Exception ex) when (RedisCircuit.IsUnavailable(ex))
            {
                reading = new GateReading($"the gate could not be read ({ex.GetType().Name})");
            }
        }

        // No gate (not open yet, ended, or dropped by a rebuild): nothing is taken from it, so no figure to give.
        var remaining = state is { Open: true } ? state.RemainingStock : null;
        var unread = reading.Unread ?? (state is { Open: true } ? null : "no gate: the sale is not open, or its gate is being rebuilt");
        return new CampaignView
        {
            CouponId = coupon.Id,
            Name = coupon.Name,
            State = CampaignState.Of(coupon, now, remaining),
            // Stored as UTC; the driver hands them back unlabelled, and JSON would then carry no zone.
            StartDate = DateTime.SpecifyKind(coupon.StartDate, DateTimeKind.Utc),
            EndDate = DateTime.SpecifyKind(coupon.EndDate, DateTimeKind.Utc),
            Total = coupon.TotalQuantity,
            Issued = coupon.IssuedQuantity,
            Remaining = remaining,
            InFlight = remaining is { } left ? Math.Max(0, coupon.TotalQuantity - left - coupon.IssuedQuantity) : null,
            Unread = remaining is null ? unread : null,
        };
    }

    /// <summary>
    /// A gate the serving Redis has not verified takes no click and its figures are not believed (design.md §5).
    /// </summary>
    private async Task<GateReading> ReadTrustAsync()
    {
        try
        {
            return (await gate.ReadTrustAsync()).Trusted
                ? new GateReading(null)
                : new GateReading("Redis restarted, failed over or was restored: its gates are not verified yet");
        }
        catch (Exception ex) when (RedisCircuit.IsUnavailable(ex))
        {
            return new GateReading($"Redis could not be read ({ex.GetType().Name})");
        }
    }

    private sealed record GateReading(string? Unread);
}
