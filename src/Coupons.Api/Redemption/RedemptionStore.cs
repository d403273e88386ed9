using System.Data.Common;
using Coupons.Catalog;
using Coupons.Infrastructure.Database;
using Coupons.Ledger;
using Coupons.Outbox;
using Dapper;

namespace Coupons.Redemption;

public enum RedemptionOutcome
{
    /// <summary>Done now.</summary>
    Done,

    /// <summary>Done before by the same order: the same answer again (an idempotent retry).</summary>
    Replayed,

    /// <summary>The user does not hold this coupon.</summary>
    NotHeld,

    /// <summary>Another order uses the coupon.</summary>
    UsedByAnotherOrder,

    /// <summary>This order used the coupon with another amount: an order id is one order.</summary>
    OrderChanged,

    /// <summary>
    /// This order's use of the coupon was restored (the order was cancelled); it cannot use it again.
    /// </summary>
    OrderCancelled,

    /// <summary>The order is below the coupon's minimum.</summary>
    BelowMinimum,

    /// <summary>The coupon's validity has ended.</summary>
    Expired,

    /// <summary>Restore: this order never used the coupon.</summary>
    NotUsedByOrder,
}

/// <summary>One use of a coupon by an order, as <c>coupon_redemptions</c> keeps it.</summary>
public sealed record RedemptionRecord(long UserCouponId, long CouponId, string OrderId, decimal OrderAmount, decimal Discount, DateTime UsedAt, DateTime? RestoredAt);

public sealed record RedemptionResult(RedemptionOutcome Outcome, RedemptionRecord? Record = null);

/// <summary>
/// Uses a coupon for an order and gives it back when the order is cancelled (SPEC I8: no coupon is used twice). Each
/// call is one transaction that locks the user's coupon row first, so two orders, the same order on two instances, or
/// a use and a restore are decided one after the other; the order id is the idempotency key (one
/// <c>coupon_redemptions</c> row per coupon and order), and the event for the rest of the shop is written in the same
/// transaction (<see cref="OutboxWriter"/>).
/// </summary>
public sealed class RedemptionStore(IDbConnectionFactory connections, TimeProvider clock)
{
    public async Task<RedemptionResult> UseAsync(long couponId, long userId, string publicId, string orderId, decimal orderAmount, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (await LockHeldAsync(connection, tx, userId, couponId, ct) is not { } held)
        {
            return new(RedemptionOutcome.NotHeld);
        }

        if (await FindAsync(connection, tx, held.Id, orderId, ct) is { } before)
        {
            return new(before.RestoredAt is not null ? RedemptionOutcome.OrderCancelled
                : before.OrderAmount != orderAmount ? RedemptionOutcome.OrderChanged
                : RedemptionOutcome.Replayed, before);
        }

        var now = Now();
        if (held.Status != UserCouponStatus.Unused)
        {
            return new(RedemptionOutcome.UsedByAnotherOrder);
        }

        if (now >= held.ExpiresAt)
        {
            return new(RedemptionOutcome.Expired);
        }

        // Read on this connection, inside the transaction: a second pooled connection while holding the row lock could
        // starve the pool under load.
        var coupon = await connection.QuerySingleAsync<Coupon>(new CommandDefinition(
            $"SELECT {CouponRepository.Columns} FROM coupons WHERE id = @couponId", new { couponId }, tx, cancellationToken: ct));
        if (Discount.Of(coupon, orderAmount) is not { } discount)
        {
            return new(RedemptionOutcome.BelowMinimum);
        }

        var used = new RedemptionRecord(held.Id, couponId, orderId, orderAmount, discount, now, null);
        await ExpectOneAsync(connection, tx,
            "UPDATE user_coupons SET status = @used, order_id = @orderId, used_at = @now WHERE id = @id AND status = @unused",
            new { used = UserCouponStatus.Used, unused = UserCouponStatus.Unused, orderId, now, id = held.Id }, ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO coupon_redemptions (user_coupon_id, order_id, user_id, coupon_id, order_amount, discount, used_at)
            VALUES (@UserCouponId, @OrderId, @userId, @CouponId, @OrderAmount, @Discount, @UsedAt)
            """, new { used.UserCouponId, used.OrderId, userId, used.CouponId, used.OrderAmount, used.Discount, used.UsedAt }, tx, cancellationToken: ct));
        await OutboxWriter.AppendAsync(connection, tx, [Event(ShopEventTypes.Used, now, publicId, used)], now, ct);
        await tx.CommitAsync(ct);
        return new(RedemptionOutcome.Done, used);
    }

    /// <summary>
    /// Gives the coupon back to its holder: only for the order that uses it, and only before the coupon expires (after,
    /// it stays USED by the cancelled order: design.md §3, the restore policy). A second restore by the same order
    /// answers the first one's result.
    /// </summary>
    public async Task<RedemptionResult> RestoreAsync(long couponId, long userId, string publicId, string orderId, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (await LockHeldAsync(connection, tx, userId, couponId, ct) is not { } held)
        {
            return new(RedemptionOutcome.NotHeld);
        }

        if (await FindAsync(connection, tx, held.Id, orderId, ct) is not { } used)
        {
            return new(RedemptionOutcome.NotUsedByOrder);
        }

        if (used.RestoredAt is not null)
        {
            return new(RedemptionOutcome.Replayed, used);
        }

        var now = Now();
        if (now >= held.ExpiresAt)
        {
            return new(RedemptionOutcome.Expired, used);
        }

        await ExpectOneAsync(connection, tx,
            "UPDATE user_coupons SET status = @unused, order_id = NULL, used_at = NULL WHERE id = @id AND status = @used AND order_id = @orderId",
            new { used = UserCouponStatus.Used, unused = UserCouponStatus.Unused, orderId, id = held.Id }, ct);
        await ExpectOneAsync(connection, tx,
            "UPDATE coupon_redemptions SET restored_at = @now WHERE user_coupon_id = @id AND order_id = @orderId AND restored_at IS NULL",
            new { now, orderId, id = held.Id }, ct);
        var restored = used with { RestoredAt = now };
        await OutboxWriter.AppendAsync(connection, tx, [Event(ShopEventTypes.Restored, now, publicId, restored)], now, ct);
        await tx.CommitAsync(ct);
        return new(RedemptionOutcome.Done, restored);
    }

    /// <summary>To the microsecond, as DATETIME(6) keeps it: a first answer and its replay read the same.</summary>
    private DateTime Now()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return now.AddTicks(-(now.Ticks % (TimeSpan.TicksPerMillisecond / 1000)));
    }

    private static ShopEvent Event(string type, DateTime now, string publicId, RedemptionRecord r) =>
        new(Guid.CreateVersion7(), type, now, publicId, r.CouponId, r.UserCouponId, OrderId: r.OrderId, OrderAmount: r.OrderAmount, Discount: r.Discount);

    private async Task<HeldCoupon?> LockHeldAsync(DbConnection connection, DbTransaction tx, long userId, long couponId, CancellationToken ct) =>
        await connection.QuerySingleOrDefaultAsync<HeldCoupon>(new CommandDefinition(
            "SELECT id, status, expires_at FROM user_coupons WHERE user_id = @userId AND coupon_id = @couponId" + connections.Dialect.ForUpdate,
            new { userId, couponId }, tx, cancellationToken: ct));

    private static async Task<RedemptionRecord?> FindAsync(DbConnection connection, DbTransaction tx, long userCouponId, string orderId, CancellationToken ct) =>
        (await connection.QuerySingleOrDefaultAsync<RedemptionRow>(new CommandDefinition(
            """
            SELECT user_coupon_id, coupon_id, order_id, order_amount, discount, used_at, restored_at
            FROM coupon_redemptions WHERE user_coupon_id = @userCouponId AND order_id = @orderId
            """, new { userCouponId, orderId }, tx, cancellationToken: ct)))?.ToRecord();

    /// <summary>Under the row lock the statement cannot miss; if it does, nothing of the transaction is kept.</summary>
    private static async Task ExpectOneAsync(DbConnection connection, DbTransaction tx, string sql, object parameters, CancellationToken ct)
    {
        if (await connection.ExecuteAsync(new CommandDefinition(sql, parameters, tx, cancellationToken: ct)) != 1)
        {
            throw new System.Data.DBConcurrencyException($"a locked user coupon changed under its lock: {sql}");
        }
    }

    private sealed class HeldCoupon
    {
        public long Id { get; init; }

        public string Status { get; init; } = "";

        public DateTime ExpiresAt { get; init; }
    }

    private sealed class RedemptionRow
    {
        public long UserCouponId { get; init; }

        public long CouponId { get; init; }

        public string OrderId { get; init; } = "";

        public decimal OrderAmount { get; init; }

        public decimal Discount { get; init; }

        public DateTime UsedAt { get; init; }

        public DateTime? RestoredAt { get; init; }

        public RedemptionRecord ToRecord() => new(UserCouponId, CouponId, OrderId, OrderAmount, Discount, UsedAt, RestoredAt);
    }
}
