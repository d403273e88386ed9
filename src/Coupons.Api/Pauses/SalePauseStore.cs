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
        await using var connection = await connections.OpenAsync(ct);
        var added = await connection.ExecuteAsync(new CommandDefinition(
            $"{connections.Dialect.InsertIgnore} INTO sale_pauses (coupon_id, paused_at, paused_by, reason) VALUES (@CouponId, @PausedAt, @PausedBy, @Reason)",
            pause, cancellationToken: ct));
        var inForce = await connection.QuerySingleAsync<SalePause>(new CommandDefinition(
            "SELECT coupon_id, paused_at, paused_by, reason FROM sale_pauses WHERE coupon_id = @CouponId", pause, cancellationToken: ct));
        return (Utc(inForce), added == 1);
    }

    /// <summary>Lifts the pause of one sale (or the global one); false when there was none.</summary>
    public async Task<bool> ResumeAsync(long couponId, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM sale_pauses WHERE coupon_id = @couponId", new { couponId }, cancellationToken: ct)) == 1;
    }

    // Stored as UTC; the driver hands them back unlabelled, and JSON would then carry no zone.
    private static SalePause Utc(SalePause pause) => pause with { PausedAt = DateTime.SpecifyKind(pause.PausedAt, DateTimeKind.Utc) };
}
