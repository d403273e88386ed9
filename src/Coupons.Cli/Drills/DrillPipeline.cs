using Dapper;
using MySqlConnector;

namespace Coupons.Cli.Drills;

/// <summary>
/// Whether anything the drill's users were accepted for is still on its way, read from the database (not from the app's
/// view of Redis): accepted request ids the database has not decided yet (neither a <c>user_coupons</c> row, the issued
/// ledger, nor an <c>issue_requests</c> row, the refused one), and the coupon's parked requests. A 202 the drill never
/// received (its connection dropped) is not known here; the invariants read the database in full at the end.
/// </summary>
public sealed class DrillPipeline(string mysql, long couponId, DrillLoad load)
{
    /// <summary>
    /// How many accepted requests are not written yet plus how many are parked; null when MariaDB does not answer.
    /// </summary>
    public async Task<long?> InFlightOrParkedAsync(CancellationToken ct)
    {
        var accepted = load.Answers.Where(a => a.Status == 202 && a.RequestId is not null).Select(a => a.RequestId!.Value).ToHashSet();
        try
        {
            var builder = new MySqlConnectionStringBuilder(mysql) { GuidFormat = MySqlGuidFormat.None, ConnectionTimeout = 5 };
            await using var connection = new MySqlConnection(builder.ConnectionString);
            await connection.OpenAsync(ct);
            var args = new { couponId };
            var written = (await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT request_id FROM user_coupons WHERE coupon_id = @couponId UNION ALL SELECT request_id FROM issue_requests WHERE coupon_id = @couponId", args, commandTimeout: 5, cancellationToken: ct))).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var parked = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM parked_requests WHERE coupon_id = @couponId", args, commandTimeout: 5, cancellationToken: ct));
            return accepted.Count(id => !written.Contains(id.ToString())) + parked;
        }
        catch (Exception ex) when (ex is MySqlException or InvalidOperationException or TimeoutException && !ct.IsCancellationRequested)
        {
            return null; // MariaDB is not answering (frozen, restarting): not recovered
        }
    }
}

/// <summary>
/// How long a recovery is watched: its target from the moment it is timed from, and some room to measure a miss.
/// </summary>
public static class RecoveryDeadline
{
    public static readonly TimeSpan Room = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Never negative: a moment long past (an unalerted fault held its full time) leaves no time, not a crash.
    /// </summary>
    public static TimeSpan After(TimeSpan target, DateTimeOffset from, DateTimeOffset now) =>
        target - (now - from) + Room is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero;
}

/// <summary>A drill that would measure nothing (its alert already firing, say) and so did not start.</summary>
public sealed class DrillRefusedException(string reason) : Exception(reason);
