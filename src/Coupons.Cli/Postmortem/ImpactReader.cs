using System.Globalization;
using Dapper;
using MySqlConnector;

namespace Coupons.Cli.Postmortem;

/// <summary>Reads the impact of a window from the database and from the app's counters in Prometheus.</summary>
public static class ImpactReader
{
    /// <summary>
    /// The window's impact in the database: for <paramref name="couponId"/> when the incident has one (a drill's
    /// coupon, --coupon), else for every coupon.
    /// </summary>
    public static async Task<DatabaseImpact> FromDatabaseAsync(string mysql, DateTimeOffset from, DateTimeOffset to, long? couponId, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(mysql);
        await connection.OpenAsync(ct);
        var window = new { from = from.UtcDateTime, to = to.UtcDateTime, couponId };
        var coupon = couponId is null ? "" : " AND coupon_id = @couponId";
        var issued = await connection.QuerySingleAsync<(long Rows, long Users)>(new CommandDefinition(
            $"SELECT COUNT(*), COUNT(DISTINCT user_id) FROM user_coupons WHERE issued_at BETWEEN @from AND @to{coupon}", window, cancellationToken: ct));
        var rejected = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COUNT(*) FROM issue_requests WHERE status = 'REJECTED' AND decided_at BETWEEN @from AND @to{coupon}", window, cancellationToken: ct));
        var parked = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COUNT(*) FROM parked_requests WHERE 1 = 1{coupon}", window, cancellationToken: ct));
        var actions = await connection.QueryAsync<(DateTime At, string Actor, string Action, long? CouponId, int Status)>(new CommandDefinition(
            "SELECT at, actor, action, coupon_id, status FROM admin_audit WHERE at BETWEEN @from AND @to AND action NOT LIKE 'GET %' ORDER BY at", window, cancellationToken: ct));
        return new DatabaseImpact(issued.Rows, issued.Users, rejected, parked,
            [.. actions.Select(a => new AuditAction(new DateTimeOffset(DateTime.SpecifyKind(a.At, DateTimeKind.Utc)), a.Actor, a.Action, a.CouponId, a.Status))], couponId);
    }

    /// <summary>
    /// Each app version that ran in the window, as "version (commit)" (<c>coupons_build_info</c>, any instance).
    /// </summary>
    public static async Task<IReadOnlyList<string>> VersionsAsync(PrometheusRange prometheus, DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        [.. (await prometheus.RawAsync("coupons_build_info", from, to, TimeSpan.FromSeconds(30), ct)) // a scrape or two before: a short window may hold none
            .Select(s => $"{s.Labels.GetValueOrDefault("version", "?")} ({s.Labels.GetValueOrDefault("commit", "?")[..Math.Min(12, s.Labels.GetValueOrDefault("commit", "?").Length)]})")
            .Distinct().Order(StringComparer.Ordinal)];

    /// <summary>How far before the window counters are read, to know each one's value when the window opened.</summary>
    private static readonly TimeSpan Lookback = TimeSpan.FromMinutes(5);

    /// <summary>The FCFS answers that failed because of the service (the availability SLI's outcomes).</summary>
    public const string FailedOutcomes = "coupons_issue_requests_total{outcome=~\"redis_unavailable|kafka_unavailable|database_unavailable|gate_not_ready\"}";

    /// <summary>
    /// The app's counters over the window from every sample Prometheus scraped (not 5 s steps, whose edges fall a
    /// scrape off the window), each counted across restarts (<see cref="Counted"/>).
    /// </summary>
    public static async Task<MetricsImpact> FromMetricsAsync(PrometheusRange prometheus, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var range = $"{Math.Max(1, (long)(to - from).TotalSeconds).ToString(CultureInfo.InvariantCulture)}s";
        var restarts = await RestartsAsync(prometheus, from, to, ct);
        var outcomes = await prometheus.RawAsync("coupons_issue_requests_total", from, to, Lookback, ct);
        return new MetricsImpact(
            outcomes.GroupBy(s => s.Labels.GetValueOrDefault("outcome", "?")).ToDictionary(g => g.Key, g => g.Sum(s => Counted(s, from, RestartsOf(s, restarts)))),
            await CountedAsync(prometheus, "coupons_parked_total", from, to, restarts, ct),
            await CountedAsync(prometheus, "coupons_relayed_total", from, to, restarts, ct),
            await CountedAsync(prometheus, "coupons_reconcile_repairs_total", from, to, restarts, ct),
            Rounded(await prometheus.ScalarAsync($"max_over_time({AlertRules.ConsumerLag}[{range}:5s])", to, ct)),
            outcomes.SelectMany(series => series.Samples).Select(sample => (DateTimeOffset?)sample.At).Where(at => at > from && at <= to).Max());
    }

    /// <summary>
    /// When failed answers began: <see cref="At"/> is the scrape before the first one that counted a failure (the
    /// earliest the failure can have happened), or <see cref="BeforeWindow"/> when they were already rising before the
    /// window opened (then the window does not hold the incident's start).
    /// </summary>
    public sealed record FirstFailure(DateTimeOffset? At, bool BeforeWindow);

    /// <summary>Failures counted this close before the window opened mean the incident was already under way.</summary>
    private static readonly TimeSpan AlreadyRising = TimeSpan.FromMinutes(1);

    /// <summary>
    /// When the first FCFS answer in the window failed because of the service (<see cref="FailedOutcomes"/>).
    /// </summary>
    public static async Task<FirstFailure?> FirstFailureAsync(PrometheusRange prometheus, DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        FirstRise(await prometheus.RawAsync(FailedOutcomes, from, to, Lookback, ct), from);

    /// <summary>
    /// The first rise of any of the counters after <paramref name="from"/>, timed at the sample before it; null when
    /// none rose.
    /// </summary>
    public static FirstFailure? FirstRise(IEnumerable<RangeSeries> counters, DateTimeOffset from)
    {
        var rises = counters.Select(series => Rises(series.Samples.Where(s => double.IsFinite(s.Value)).ToList())).SelectMany(r => r).ToList();
        if (rises.Any(r => r.At <= from && r.At > from - AlreadyRising))
        {
            return new FirstFailure(null, BeforeWindow: true);
        }

        var inside = rises.Where(r => r.At > from).ToList();
        return inside.Count == 0 ? null : new FirstFailure(inside.Min(r => r.Since), BeforeWindow: false);

        // A rise between two samples (or a series born with a value: its first sample) happened after the sample
        // before.
        static IEnumerable<(DateTimeOffset Since, DateTimeOffset At)> Rises(List<(DateTimeOffset At, double Value)> samples) =>
            samples.Select((s, i) => (s, i))
                .Where(x => x.i == 0 ? x.s.Value > 0 : x.s.Value > samples[x.i - 1].Value || x.s.Value < samples[x.i - 1].Value && x.s.Value > 0)
                .Select(x => (x.i == 0 ? x.s.At : samples[x.i - 1].At, x.s.At));
    }

    /// <summary>
    /// What a counter counted within the window, from its scraped samples (read from before the window): its value at
    /// the last sample at or before <paramref name="from"/> is the baseline (none: the series was born inside the
    /// window, counted from 0, as the app creates a counter's series at its first event); after it, each rise counts,
    /// and a sample after a restart counts in full: a drop, or the process's start time falling between two samples
    /// (<paramref name="restarts"/>) even when the new process has already passed the old value.
    /// </summary>
    public static long Counted(RangeSeries series, DateTimeOffset from, IReadOnlyCollection<DateTimeOffset>? restarts = null)
    {
        var samples = series.Samples.Where(s => double.IsFinite(s.Value)).ToList(); // a NaN sample says nothing
        var baseline = samples.LastOrDefault(s => s.At <= from);
        var (previousAt, previous) = baseline == default ? (DateTimeOffset.MinValue, 0.0) : baseline;
        var counted = 0.0;
        foreach (var (at, value) in samples.Where(s => s.At > from))
        {
            var restarted = value < previous || (restarts?.Any(r => r > previousAt && r <= at) ?? false);
            counted += restarted ? value : value - previous;
            (previousAt, previous) = (at, value);
        }

        return Rounded(counted);
    }

    /// <summary>
    /// Each instance's process start times seen over the window (<c>coupons_process_start_time_seconds</c>).
    /// </summary>
    private static async Task<IReadOnlyDictionary<string, IReadOnlyCollection<DateTimeOffset>>> RestartsAsync(PrometheusRange prometheus, DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        (await prometheus.RawAsync("coupons_process_start_time_seconds", from, to, Lookback, ct))
            .GroupBy(s => s.Labels.GetValueOrDefault("instance", ""))
            .ToDictionary(g => g.Key, g => (IReadOnlyCollection<DateTimeOffset>)[.. g.SelectMany(s => s.Samples)
                .Where(p => double.IsFinite(p.Value) && p.Value > 0 && p.Value < 32503680000) // a start time before the year 3000
                .Select(p => DateTimeOffset.FromUnixTimeMilliseconds((long)(p.Value * 1000))).Distinct()]);

    private static IReadOnlyCollection<DateTimeOffset> RestartsOf(RangeSeries series, IReadOnlyDictionary<string, IReadOnlyCollection<DateTimeOffset>> restarts) =>
        restarts.GetValueOrDefault(series.Labels.GetValueOrDefault("instance", "")) ?? [];

    private static async Task<long> CountedAsync(PrometheusRange prometheus, string counter, DateTimeOffset from, DateTimeOffset to,
        IReadOnlyDictionary<string, IReadOnlyCollection<DateTimeOffset>> restarts, CancellationToken ct) =>
        (await prometheus.RawAsync(counter, from, to, Lookback, ct)).Sum(s => Counted(s, from, RestartsOf(s, restarts)));

    private static long Rounded(double value) => double.IsFinite(value) ? (long)Math.Round(value) : 0;
}
