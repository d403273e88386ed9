using Coupons.Infrastructure.Database;
using Dapper;

namespace Coupons.Pauses;

/// <summary>The <c>sale_pauses</c> table: the record of which sales are paused, which every instance reads.</summary>
public sealed class SalePauseStore(IDbConnectionFactory connections)
{
    public async Task<IReadOnlyList<SalePause>> ListAsync(CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        var rows = await connection.QueryAsync<SalePause>(new CommandDefinition(
            "SELECT coupon_id, paused_at, paused_by, reason FROM sale_pauses ORDER BY coupon_id", cancellationToken: ct));
        return [.. rows.Select(Utc)];
    }

    /// <summary>
    /// Pauses a sale; one already paused keeps its first pause (when, by whom, why), which is returned either way.
    /// </summary>
    public async Task<(SalePause InForce, bool Changed)> PauseAsync(SalePause pause, CancellationToken ct)
    {
        // One transaction: what it answers is what it committed (a read after the commit could fail once it was done).
        await using var connection = await connections.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var added = await connection.ExecuteAsync(new CommandDefinition(
            $"{connections.Dialect.InsertIgnore} INTO sale_pauses (coupon_id, paused_at, paused_by, reason) VALUES (@CouponId, @PausedAt, @PausedBy, @Reason)",
            pause, tx, cancellationToken: ct));
        var inForce = await connection.QuerySingleAsync<SalePause>(new CommandDefinition(
            "SELECT coupon_id, paused_at, paused_by, reason FROM sale_pauses WHERE coupon_id = @CouponId", pause, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return (Utc(inForce), added == 1);
    }

    /// <summary>
    /// Lifts the pause of one sale (or the global one): the pause it lifted (null when there was none), and whether a
    /// pause still stops the sale's clicks (every sale's), as committed together.
    /// </summary>
    public async Task<(SalePause? Lifted, bool StillPaused)> ResumeAsync(long couponId, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var lifted = await connection.QuerySingleOrDefaultAsync<SalePause>(new CommandDefinition(
            "SELECT coupon_id, paused_at, paused_by, reason FROM sale_pauses WHERE coupon_id = @couponId", new { couponId }, tx, cancellationToken: ct));
        var removed = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM sale_pauses WHERE coupon_id = @couponId", new { couponId }, tx, cancellationToken: ct));
        var left = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM sale_pauses WHERE coupon_id IN (@couponId, @everySale)", new { couponId, everySale = SalePause.EverySale }, tx,
            cancellationToken: ct));
        await tx.CommitAsync(ct);
        return (removed == 1 && lifted is not null ? Utc(lifted) : null, left > 0);
    }

    // Stored as UTC; the driver hands them back unlabelled, and JSON would then carry no zone.
    private static SalePause Utc(SalePause pause) => pause with { PausedAt = DateTime.SpecifyKind(pause.PausedAt, DateTimeKind.Utc) };
}
