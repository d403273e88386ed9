using Coupons.Catalog;
using Coupons.Infrastructure.Database;
using Dapper;

namespace Coupons.Gate;

/// <summary>
/// Seeds a coupon's Redis gate from what the database says is already issued. Only from a database that holds
/// everything the coupon accepted: callers make sure nothing is still on its way there (GateKeeperLoop, GateOpening).
/// </summary>
public sealed class EventOpener(IDbConnectionFactory connections, CouponRepository coupons, GateRepair gate, GateInspector inspector, CouponTotals totals)
{
    public async Task<(GateOpenResult Result, GateState State)?> OpenAsync(long couponId, CancellationToken ct)
    {
        var coupon = await coupons.FindAsync(couponId, ct);
        if (coupon is null)
        {
            return null;
        }

        var generation = await gate.GenerationAsync(couponId); // before the database: a reset after it tears this opening
        await using var connection = await connections.OpenAsync(ct);
        var holders = (await connection.QueryAsync<(long UserId, string RequestId)>(new CommandDefinition(
            "SELECT user_id, request_id FROM user_coupons WHERE coupon_id = @couponId", new { couponId }, cancellationToken: ct)))
            .Select(h => (h.UserId, Guid.Parse(h.RequestId))).ToList();

        var opened = await gate.OpenAsync(couponId, Math.Max(0, coupon.TotalQuantity - holders.Count), holders, generation);
        if (opened == GateOpenResult.Opened)
        {
            // A change that found no gate went to the database alone, maybe while this gate was built from the older
            // total: under the row lock (waiting for a change in progress), the gate takes the database's total.
            await totals.SyncAsync(couponId, ct);
        }

        return (opened, await inspector.ReadStateAsync(couponId));
    }
}
