using Coupons.Catalog;
using Coupons.Infrastructure.Database;
using Coupons.Issuance;
using Dapper;

namespace Coupons.Admin;

/// <summary>Opens a coupon event: seeds the Redis gate from what the database says is already issued.</summary>
public sealed class EventOpener(IDbConnectionFactory connections, CouponRepository coupons, IssuanceGate gate)
{
    public async Task<(bool Opened, GateState State)?> OpenAsync(long couponId, CancellationToken ct)
    {
        var coupon = await coupons.FindAsync(couponId, ct);
        if (coupon is null)
        {
            return null;
        }

        await using var connection = await connections.OpenAsync(ct);
        var holders = (await connection.QueryAsync<(long UserId, string RequestId)>(new CommandDefinition(
            "SELECT user_id, request_id FROM user_coupons WHERE coupon_id = @couponId", new { couponId }, cancellationToken: ct)))
            .Select(h => (h.UserId, Guid.Parse(h.RequestId))).ToList();

        var opened = await gate.OpenAsync(couponId, Math.Max(0, coupon.TotalQuantity - holders.Count), holders);
        return (opened, await gate.ReadStateAsync(couponId));
    }
}
