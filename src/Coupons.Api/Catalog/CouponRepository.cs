using Coupons.Infrastructure.Database;
using Dapper;

namespace Coupons.Catalog;

public sealed class CouponRepository(IDbConnectionFactory connections)
{
    private const string Columns =
        "id, name, coupon_type, discount_rate, discount_amount, min_order_amount, total_quantity, issued_quantity, start_date, end_date, validity_days";

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

    /// <summary>
    /// Moves a sale's window, unless it ended meanwhile (false): the window rules were checked against a read that may
    /// be a moment old.
    /// </summary>
    public async Task<bool> MoveWindowAsync(long couponId, DateTime start, DateTime end, DateTime utcNow, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE coupons SET start_date = @start, end_date = @end WHERE id = @couponId AND end_date > @utcNow",
            new { couponId, start, end, utcNow }, cancellationToken: ct)) == 1;
    }

    /// <summary>
    /// Ends a sale now: its end becomes <paramref name="utcNow"/> (and a sale that had not begun, its start too). False
    /// when it had ended already.
    /// </summary>
    public async Task<bool> EndAsync(long couponId, DateTime utcNow, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE coupons SET end_date = @utcNow, start_date = CASE WHEN start_date > @utcNow THEN @utcNow ELSE start_date END " +
            "WHERE id = @couponId AND end_date > @utcNow",
            new { couponId, utcNow }, cancellationToken: ct)) == 1;
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
            INSERT INTO coupons ({idColumn}name, coupon_type, discount_rate, discount_amount, min_order_amount,
                                 total_quantity, issued_quantity, start_date, end_date, validity_days)
            VALUES ({idValue}@Name, @CouponType, @DiscountRate, @DiscountAmount, @MinOrderAmount,
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
    int ValidityDays);
