using Coupons.Catalog;
using Coupons.Gate;
using Coupons.Infrastructure.Database;
using Dapper;

namespace Coupons.Campaigns;

/// <summary>
/// Moves a sale's window and ends sales, each decided under the coupon's row lock, so two changes cannot both pass
/// the rules on a read the other made stale (hostile review, issue 23: a window move read before an end reopened the
/// ended sale). Ending also takes what is left off the gate, so an instance still holding the old end for its second of
/// cache (or longer, through a database outage) sells nothing more.
/// </summary>
public sealed class CampaignWindowChanges(IDbConnectionFactory connections, GateRepair gate, IOptions<GateOptions> options, TimeProvider clock)
{
    /// <summary>The rules' answer, applied when it allows it; null when the coupon does not exist.</summary>
    public async Task<WindowDecision?> MoveAsync(long couponId, DateTimeOffset? newStart, DateTimeOffset? newEnd, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (await LockAsync(connection, tx, couponId, ct) is not { } coupon)
        {
            return null;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var decision = CampaignWindow.Decide(coupon, now, newStart, newEnd);
        if (decision.Allowed && (decision.Start != coupon.StartDate || decision.End != coupon.EndDate))
        {
            await connection.ExecuteAsync(new CommandDefinition("UPDATE coupons SET start_date = @Start, end_date = @End WHERE id = @couponId",
                new { decision.Start, decision.End, couponId }, tx, cancellationToken: CancellationToken.None));
            await tx.CommitAsync(CancellationToken.None);
            if (decision.Start != coupon.StartDate && decision.Start > now + options.Value.ClockSkewMargin)
            {
                // Its gate may have been opened ahead of the old start (Gate:ClockSkewMargin); the new one is further
                // off than any gate is kept ahead, so it goes, and opens again when the new start is near. (Dropped, it
                // waits for the pipeline like any rebuild, in case an instance whose clock runs ahead took a click.)
                await gate.ResetAsync(couponId);
            }
        }

        return decision;
    }

    /// <summary>Ends the sale now; false when it had ended. Null when the coupon does not exist.</summary>
    public async Task<bool?> EndAsync(long couponId, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (await LockAsync(connection, tx, couponId, ct) is not { } coupon)
        {
            return null;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (now >= coupon.EndDate)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE coupons SET end_date = @now, start_date = CASE WHEN start_date > @now THEN @now ELSE start_date END WHERE id = @couponId",
            new { now, couponId }, tx, cancellationToken: CancellationToken.None));
        await tx.CommitAsync(CancellationToken.None);
        await gate.CloseAsync(couponId);
        return true;
    }

    private async Task<Coupon?> LockAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction tx, long couponId, CancellationToken ct)
    {
        var forUpdate = connections.Dialect.ForUpdate;
        return await connection.QuerySingleOrDefaultAsync<Coupon>(new CommandDefinition(
            "SELECT id, start_date, end_date FROM coupons WHERE id = @couponId" + forUpdate, new { couponId }, tx, cancellationToken: ct));
    }
}
