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
        var outcomes = await prometheus.RangeAsync("coupons_issue_requests_total", from, to, Step, ct);
        return new MetricsImpact(
            outcomes.GroupBy(s => s.Labels.GetValueOrDefault("outcome", "?")).ToDictionary(g => g.Key, g => g.Sum(s => Counted(s, from))),
            await CountedAsync(prometheus, "coupons_parked_total", from, to, ct),
            await CountedAsync(prometheus, "coupons_relayed_total", from, to, ct),
            await CountedAsync(prometheus, "coupons_reconcile_repairs_total", from, to, ct),
            Rounded(await prometheus.ScalarAsync($"max_over_time({AlertRules.ConsumerLag}[{range}:5s])", to, ct)));
    }

    /// <summary>
    /// What a counter counted within the window, exactly, from its scraped samples: the rise between samples, a drop
    /// being a restart (counted from 0), and a series first seen inside the window counted from 0 — the app creates a
    /// counter's series at its first event, which PromQL's <c>increase()</c> would leave out and then extrapolate around.
    /// </summary>
    public static long Counted(RangeSeries series, DateTimeOffset from)
    {
        if (series.Samples.Count == 0)
        {
            return 0;
        }

        var previous = series.Samples[0].At - from > Step * 1.5 ? 0 : series.Samples[0].Value;
        var counted = 0.0;
        foreach (var (_, value) in series.Samples)
        {
            counted += value >= previous ? value - previous : value;
            previous = value;
        }

        return Rounded(counted);
    }

    private static readonly TimeSpan Step = TimeSpan.FromSeconds(5);

    private static async Task<long> CountedAsync(PrometheusRange prometheus, string counter, DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        (await prometheus.RangeAsync(counter, from, to, Step, ct)).Sum(s => Counted(s, from));

    private static long Rounded(double value) => double.IsFinite(value) ? (long)Math.Round(value) : 0;
}
