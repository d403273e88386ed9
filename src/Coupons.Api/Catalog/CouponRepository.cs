using Coupons.Infrastructure.Database;
using Dapper;

namespace Coupons.Catalog;

public sealed class CouponRepository(IDbConnectionFactory connections)
{
    public const string Columns =
        "id, name, coupon_type, discount_rate, discount_amount, min_order_amount, max_discount_amount, total_quantity, issued_quantity, start_date, end_date, " +
        "validity_days";

    public async Task<Coupon?> FindAsync(long couponId, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Coupon>(
            new CommandDefinition($"SELECT {Columns} FROM coupons WHERE id = @couponId", new { couponId }, cancellationToken: ct));
    }

    /// <summary>The newest <paramref name="max"/> coupons, newest (highest id) first.</summary>
    public async Task<IReadOnlyList<Coupon>> ListNewestAsync(int max, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        var rows = await connection.QueryAsync<Coupon>(new CommandDefinition(
            $"SELECT {Columns} FROM coupons ORDER BY id DESC LIMIT @max", new { max }, cancellationToken: ct));
        return rows.AsList();
    }

    public Task<IReadOnlyList<Coupon>> ListOpenAsync(DateTime utcNow, CancellationToken ct) => ListOpenAsync(utcNow, TimeSpan.Zero, ct);

    /// <summary>
    /// Coupons open at <paramref name="utcNow"/> by a clock up to <paramref name="margin"/> ahead or behind this one.
    /// </summary>
    public async Task<IReadOnlyList<Coupon>> ListOpenAsync(DateTime utcNow, TimeSpan margin, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        var rows = await connection.QueryAsync<Coupon>(new CommandDefinition(
            $"SELECT {Columns} FROM coupons WHERE start_date <= @latest AND end_date > @earliest ORDER BY id",
            new { latest = utcNow + margin, earliest = utcNow - margin }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>Inserts a coupon; with <paramref name="explicitId"/> the id is fixed (the demo data keeps the guide's
    /// id 11: design.md §1).</summary>
    public async Task<long> CreateAsync(NewCoupon coupon, long? explicitId, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        var idColumn = explicitId is null ? "" : "id, ";
        var idValue = explicitId is null ? "" : "@explicitId, ";
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            INSERT INTO coupons ({idColumn}name, coupon_type, discount_rate, discount_amount, min_order_amount, max_discount_amount,
                                 total_quantity, issued_quantity, start_date, end_date, validity_days)
            VALUES ({idValue}@Name, @CouponType, @DiscountRate, @DiscountAmount, @MinOrderAmount, @MaxDiscountAmount,
                    @TotalQuantity, 0, @StartDate, @EndDate, @ValidityDays)
            """,
            new
            {
                explicitId,
                coupon.Name,
                coupon.CouponType,
                coupon.DiscountRate,
                coupon.DiscountAmount,
                coupon.MinOrderAmount,
                coupon.MaxDiscountAmount,
                coupon.TotalQuantity,
                StartDate = coupon.StartDate.UtcDateTime,
                EndDate = coupon.EndDate.UtcDateTime,
                coupon.ValidityDays,
            },
            cancellationToken: ct));
        return explicitId ?? await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            connections.Dialect.Provider == DatabaseProvider.MySql ? "SELECT LAST_INSERT_ID()" : "SELECT last_insert_rowid()",
            cancellationToken: ct));
    }
}

public sealed record NewCoupon(
    string Name,
    string CouponType,
    decimal? DiscountRate,
    decimal? DiscountAmount,
    decimal MinOrderAmount,
    int TotalQuantity,
    DateTimeOffset StartDate,
    DateTimeOffset EndDate,
    int ValidityDays,
    decimal? MaxDiscountAmount = null);
