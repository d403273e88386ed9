using Coupons.Infrastructure.Database;
using Coupons.Ledger;
using Dapper;

namespace Coupons.UserCoupons;

public sealed class UserCouponRow
{
    public long Id { get; init; }

    public long CouponId { get; init; }

    public string CouponName { get; init; } = "";

    public string CouponType { get; init; } = "";

    public decimal? DiscountRate { get; init; }

    public decimal? DiscountAmount { get; init; }

    public string Status { get; init; } = "";

    public DateTime IssuedAt { get; init; }

    public DateTime ExpiresAt { get; init; }

    public string RequestId { get; init; } = "";

    public string? OrderId { get; init; }

    public DateTime? UsedAt { get; init; }
}

public sealed class UserCouponRepository(IDbConnectionFactory connections)
{
    public async Task<IReadOnlyList<UserCouponRow>> ListAsync(long userId, DateTime? availableAt, CancellationToken ct)
    {
        var filter = availableAt is null ? "" : "AND uc.status = @unused AND uc.expires_at > @availableAt";
        await using var connection = await connections.OpenAsync(ct);
        var rows = await connection.QueryAsync<UserCouponRow>(new CommandDefinition(
            $"""
            SELECT uc.id, uc.coupon_id, c.name AS coupon_name, c.coupon_type, c.discount_rate, c.discount_amount,
                   uc.status, uc.issued_at, uc.expires_at, uc.request_id, uc.order_id, uc.used_at
            FROM user_coupons uc JOIN coupons c ON c.id = uc.coupon_id
            WHERE uc.user_id = @userId {filter}
            ORDER BY uc.id
            """,
            new { userId, availableAt, unused = UserCouponStatus.Unused }, cancellationToken: ct));
        return rows.AsList();
    }
}
