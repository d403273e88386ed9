using System.Data.Common;
using Coupons.Infrastructure.Database;
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
/// Changes a coupon's total in the database and in its gate under the coupon's row lock (the one the consumer takes to
/// write issues), in the order that never lets the gate sell more than the database allows, whatever fails in
/// between: a lowering is taken off the gate first (set-total.lua refuses it below what the gate counts, atomically
/// with the clicks), then committed; a raise is committed first, then put on the gate. A failure between the two leaves
/// the gate selling less than it may (never more) until the next reconciliation round syncs it to the database. Every
/// change of the gate is compare-and-set on the total it expects, so a script delayed in a stalled socket after its
/// caller gave up finds a newer total and does nothing (hostile review, issue 23).
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

        var before = row.TotalQuantity;
        var now = clock.GetUtcNow().UtcDateTime;
        if (now >= row.EndDate)
        {
            return new(TotalChangeOutcome.Ended, before, before, row.IssuedQuantity);
        }

        if (expectedTotal is { } expected && expected != before)
        {
            return new(TotalChangeOutcome.NotAsExpected, before, before, row.IssuedQuantity);
        }

        if (total < row.IssuedQuantity)
        {
            return new(TotalChangeOutcome.BelowTaken, before, before, row.IssuedQuantity);
        }

        var read = await gate.ReadTotalAsync(couponId);
        if (read.Outcome is GateTotalOutcome.NotVerified || (read.Outcome is GateTotalOutcome.NoGate && now >= row.StartDate - options.Value.ClockSkewMargin))
        {
            // In (or about to be in) its window: requests may be on their way, and only the gate counts them.
            return new(TotalChangeOutcome.GateNotReady, before, before, row.IssuedQuantity);
        }

        var hasGate = read.Outcome == GateTotalOutcome.Read;
        if (hasGate && read.TotalBefore != before)
        {
            // Off the database's (a raise committed elsewhere and not on the gate yet, a failed change): we hold the
            // lock.
            await gate.SyncTotalAsync(couponId, before);
        }

        var counted = hasGate ? read.Counted : row.IssuedQuantity;
        if (hasGate && total < before)
        {
            var lowered = await gate.ChangeTotalAsync(couponId, total, before);
            if (lowered.Outcome == GateTotalOutcome.BelowCounted)
            {
                return new(TotalChangeOutcome.BelowTaken, before, before, lowered.Counted);
            }

            if (lowered.Outcome != GateTotalOutcome.Set)
            {
                return new(TotalChangeOutcome.GateNotReady, before, before, row.IssuedQuantity);
            }

            counted = lowered.Counted;
        }

        // The gate is touched (or about to be): finish regardless of the caller going away.
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE coupons SET total_quantity = @total WHERE id = @couponId", new { total, couponId }, tx, cancellationToken: CancellationToken.None));
        await tx.CommitAsync(CancellationToken.None);
        if (hasGate && total > before)
        {
            // Committed: now on sale. Under the lock again, from whatever the gate holds now, to the database's total.
            await SyncAsync(couponId, CancellationToken.None);
        }

        return new(total == before ? TotalChangeOutcome.Unchanged : TotalChangeOutcome.Changed, before, total, counted);
    }

    /// <summary>
    /// Sets the gate to the database's total when it is off it (read in one step, then under the row lock, so a
    /// change in progress elsewhere is waited for, never undone). True when the gate was set.
    /// </summary>
    public async Task<bool> SyncIfOffAsync(long couponId, int databaseTotal, CancellationToken ct)
    {
        var read = await gate.ReadTotalAsync(couponId);
        return read.Outcome == GateTotalOutcome.Read && read.TotalBefore != databaseTotal && await SyncAsync(couponId, ct);
    }

    /// <summary>Under the row lock, sets the gate to the database's total; true when the gate was off it.</summary>
    public async Task<bool> SyncAsync(long couponId, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (await LockAsync(connection, tx, couponId, ct) is not { } row)
        {
            return false;
        }

        var set = await gate.SyncTotalAsync(couponId, row.TotalQuantity);
        await tx.CommitAsync(CancellationToken.None);
        if (set.Outcome == GateTotalOutcome.Set && set.TotalBefore != row.TotalQuantity)
        {
            GateTotalSynced(logger, couponId, set.TotalBefore, row.TotalQuantity);
            return true;
        }

        return false;
    }

    private async Task<LockedCoupon?> LockAsync(DbConnection connection, DbTransaction tx, long couponId, CancellationToken ct)
    {
        // SQLite has one writer at a time; MySQL locks the row, as the consumer's batch does.
        var forUpdate = connections.Dialect.ForUpdate;
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

    [LoggerMessage(EventId = 4410, Level = LogLevel.Warning, Message = "Coupon {CouponId}: its gate sold a total of {GateTotal}, the database says {Total}: the gate is set to the database's")]
    private static partial void GateTotalSynced(ILogger logger, long couponId, long gateTotal, int total);

}
