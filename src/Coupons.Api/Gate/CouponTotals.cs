using System.Data.Common;
using Coupons.Infrastructure.Database;
using Coupons.Infrastructure.Redis;
using Dapper;

namespace Coupons.Gate;

/// <summary>How a change of a coupon's total ended.</summary>
public enum TotalChangeOutcome
{
    Changed,

    /// <summary>
    /// It already was that total (the gate was set to it again, which changes nothing when it agreed).
    /// </summary>
    Unchanged,

    NotFound,

    /// <summary>The sale is over: its figures are final.</summary>
    Ended,

    /// <summary>
    /// The total was not the one the caller read (<c>expectedTotal</c>): someone changed it meanwhile.
    /// </summary>
    NotAsExpected,

    /// <summary>Below what is issued and in flight.</summary>
    BelowTaken,

    /// <summary>
    /// The sale may have requests in flight and its gate cannot count them now (missing or not verified).
    /// </summary>
    GateNotReady,
}

/// <param name="Taken">Issued and in flight, as the gate counts them (the issued count when there is no gate).</param>
public readonly record struct TotalChange(TotalChangeOutcome Outcome, int Before, int After, long Taken);

/// <summary>
/// Changes a coupon's total in the database and in its gate as one step: under the coupon's row lock (the one the
/// consumer takes to write issues), the gate is set first, by set-total.lua, which refuses a total below what it counts
/// (issued and in flight) atomically with the clicks, then the row. Concurrent changes, from any instance, are
/// serialised by the lock, so the gate ends at the total the database ends at. A row update that fails after the gate
/// was set puts the gate back; if that fails too, <see cref="SyncAsync"/> (every reconciliation round) finds the gate's
/// total off the database's and sets it again, under the same lock.
/// </summary>
public sealed partial class CouponTotals(
    IDbConnectionFactory connections, GateRepair gate, IOptions<GateOptions> options, TimeProvider clock, ILogger<CouponTotals> logger)
{
    public const int MaxTotal = 10_000_000;

    public async Task<TotalChange> ChangeAsync(long couponId, int total, int? expectedTotal, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var row = await LockAsync(connection, tx, couponId, ct);
        if (row is null)
        {
            return new(TotalChangeOutcome.NotFound, 0, 0, 0);
        }

        var (before, issued, start, end) = (row.TotalQuantity, row.IssuedQuantity, row.StartDate, row.EndDate);
        var now = clock.GetUtcNow().UtcDateTime;
        if (now >= end)
        {
            return new(TotalChangeOutcome.Ended, before, before, issued);
        }

        if (expectedTotal is { } expected && expected != before)
        {
            return new(TotalChangeOutcome.NotAsExpected, before, before, issued);
        }

        if (total < issued)
        {
            return new(TotalChangeOutcome.BelowTaken, before, before, issued);
        }

        var set = await gate.SetTotalAsync(couponId, total);
        switch (set.Outcome)
        {
            case GateTotalOutcome.BelowCounted:
                return new(TotalChangeOutcome.BelowTaken, before, before, set.Counted);
            case GateTotalOutcome.NotVerified:
            case GateTotalOutcome.NoGate when now >= start - options.Value.ClockSkewMargin:
                // In (or about to be in) its window: requests may be on their way, and only the gate counts them.
                return new(TotalChangeOutcome.GateNotReady, before, before, issued);
        }

        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE coupons SET total_quantity = @total WHERE id = @couponId", new { total, couponId }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
        }
        catch (Exception ex) when (set.Outcome == GateTotalOutcome.Set && ex is DbException or OperationCanceledException)
        {
            await PutGateBackAsync(couponId, before);
            throw;
        }

        return new(total == before ? TotalChangeOutcome.Unchanged : TotalChangeOutcome.Changed, before, total,
            set.Outcome == GateTotalOutcome.Set ? set.Counted : issued);
    }

    /// <summary>
    /// Sets the gate to the database's total again, under the row lock, when <paramref name="gateTotal"/> (its stock
    /// plus what it counts, read without the lock) is off it; a change in progress elsewhere holds the lock, so this
    /// never undoes one. True when the gate was set.
    /// </summary>
    public async Task<bool> SyncAsync(long couponId, long gateTotal, int databaseTotal, CancellationToken ct)
    {
        if (gateTotal == databaseTotal)
        {
            return false;
        }

        await using var connection = await connections.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (await LockAsync(connection, tx, couponId, ct) is not { } row)
        {
            return false;
        }

        var set = await gate.SetTotalAsync(couponId, row.TotalQuantity);
        await tx.CommitAsync(ct);
        if (set.Outcome == GateTotalOutcome.Set && set.StockBefore + set.Counted != row.TotalQuantity)
        {
            GateTotalSynced(logger, couponId, set.StockBefore + set.Counted, row.TotalQuantity);
            return true;
        }

        return false;
    }

    private async Task<LockedCoupon?> LockAsync(DbConnection connection, DbTransaction tx, long couponId, CancellationToken ct)
    {
        // SQLite has one writer at a time; MySQL locks the row, as the consumer's batch does.
        var forUpdate = connections.Dialect.Provider == DatabaseProvider.MySql ? " FOR UPDATE" : "";
        return await connection.QuerySingleOrDefaultAsync<LockedCoupon>(new CommandDefinition(
            "SELECT total_quantity, issued_quantity, start_date, end_date FROM coupons WHERE id = @couponId" + forUpdate,
            new { couponId }, tx, cancellationToken: ct));
    }

    private sealed class LockedCoupon
    {
        public int TotalQuantity { get; init; }

        public int IssuedQuantity { get; init; }

        public DateTime StartDate { get; init; }

        public DateTime EndDate { get; init; }
    }

    private async Task PutGateBackAsync(long couponId, int total)
    {
        try
        {
            await gate.SetTotalAsync(couponId, total);
        }
        catch (Exception ex) when (RedisCircuit.IsUnavailable(ex))
        {
            GateNotPutBack(logger, couponId, total, ex.Message);
        }
    }

    [LoggerMessage(EventId = 4410, Level = LogLevel.Warning, Message = "Coupon {CouponId}: its gate sold a total of {GateTotal}, the database says {Total}: the gate is set to the database's")]
    private static partial void GateTotalSynced(ILogger logger, long couponId, long gateTotal, int total);

    [LoggerMessage(EventId = 4411, Level = LogLevel.Error, Message = "Coupon {CouponId}: a total change failed in the database and its gate could not be put back to {Total} ({Reason}); reconciliation sets it")]
    private static partial void GateNotPutBack(ILogger logger, long couponId, int total, string reason);
}
