using System.Globalization;
using Dapper;
using MySqlConnector;

namespace Coupons.Cli.Postmortem;

/// <summary>Reads the impact of a window from the database and from the app's counters in Prometheus.</summary>
public static class ImpactReader
{
    public static async Task<DatabaseImpact> FromDatabaseAsync(string mysql, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(mysql);
        await connection.OpenAsync(ct);
        var window = new { from = from.UtcDateTime, to = to.UtcDateTime };
        var issued = await connection.QuerySingleAsync<(long Rows, long Users)>(new CommandDefinition(
            "SELECT COUNT(*), COUNT(DISTINCT user_id) FROM user_coupons WHERE issued_at BETWEEN @from AND @to", window, cancellationToken: ct));
        var rejected = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM issue_requests WHERE status = 'REJECTED' AND decided_at BETWEEN @from AND @to", window, cancellationToken: ct));
        var parked = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM parked_requests", cancellationToken: ct));
        var actions = await connection.QueryAsync<(DateTime At, string Actor, string Action, long? CouponId, int Status)>(new CommandDefinition(
            "SELECT at, actor, action, coupon_id, status FROM admin_audit WHERE at BETWEEN @from AND @to AND action NOT LIKE 'GET %' ORDER BY at", window, cancellationToken: ct));
        return new DatabaseImpact(issued.Rows, issued.Users, rejected, parked, [.. actions.Select(a => new TimelineEntry(
            new DateTimeOffset(DateTime.SpecifyKind(a.At, DateTimeKind.Utc)), "admin_audit",
            $"{a.Actor}: {a.Action}{(a.CouponId is { } c ? $" (coupon {c})" : "")} -> {a.Status}"))]);
    }

    public static async Task<MetricsImpact> FromMetricsAsync(PrometheusRange prometheus, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var range = $"{Math.Max(1, (long)(to - from).TotalSeconds).ToString(CultureInfo.InvariantCulture)}s";
        var outcomes = await prometheus.RangeAsync($"sum by (outcome) (increase(coupons_issue_requests_total[{range}]))", to, to, TimeSpan.FromSeconds(1), ct);
        return new MetricsImpact(
            outcomes.Where(s => s.Samples.Count > 0).ToDictionary(s => s.Labels.GetValueOrDefault("outcome", "?"), s => (long)Math.Round(s.Samples[^1].Value)),
            Rounded(await prometheus.ScalarAsync($"sum(increase(coupons_parked_total[{range}]))", to, ct)),
            Rounded(await prometheus.ScalarAsync($"sum(increase(coupons_relayed_total[{range}]))", to, ct)),
            Rounded(await prometheus.ScalarAsync($"sum(increase(coupons_reconcile_repairs_total[{range}]))", to, ct)),
            Rounded(await prometheus.ScalarAsync($"max_over_time(sum(coupons_consumer_lag)[{range}:5s])", to, ct)));
    }

    private static long Rounded(double value) => double.IsFinite(value) ? (long)Math.Round(value) : 0;
}
