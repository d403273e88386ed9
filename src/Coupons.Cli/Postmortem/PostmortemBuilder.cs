using Coupons.Cli.Drills;

namespace Coupons.Cli.Postmortem;

/// <summary>Where a post-mortem's data comes from; each source is optional and one that cannot be read is named as such.</summary>
public sealed record PostmortemSources(Uri? Prometheus, string? MySql, IReadOnlyList<string> AppLogs, DrillReport? Drill);

/// <summary>
/// Gathers a window's facts: alert history, app events, operator actions, drill events, impact from the database, the
/// app's counters and the drill's load counters; the severity, detect/respond/resolve times against the guide's
/// targets; the charts.
/// </summary>
public static class PostmortemBuilder
{
    public static async Task<PostmortemFacts> BuildAsync(DateTimeOffset from, DateTimeOffset to, PostmortemSources sources, string chartDirectory, CancellationToken ct)
    {
        var unavailable = new List<string>();
        var drill = sources.Drill;
        using var prometheus = sources.Prometheus is { } p ? new PrometheusRange(p) : null;

        var alerts = prometheus is null ? [] : await Try(() => AlertHistory.ReadAsync(prometheus, from, to, ct), "alert history (Prometheus ALERTS)", unavailable) ?? [];
        var metrics = prometheus is null ? null : await Try(() => ImpactReader.FromMetricsAsync(prometheus, from, to, ct), "app counters (Prometheus)", unavailable);
        var database = sources.MySql is { Length: > 0 } mysql ? await Try(() => ImpactReader.FromDatabaseAsync(mysql, from, to, ct), "database", unavailable) : null;
        IReadOnlyList<string> charts = prometheus is null ? [] : await Try(() => Charts.DrawAsync(prometheus, from, to, drill is null ? null : (drill.InjectedAt, drill.HealedAt), alerts, chartDirectory, ct), "charts", unavailable) ?? [];
        if (prometheus is null)
        {
            unavailable.Add("Prometheus (no --prometheus): no alert history, app counters or charts");
        }

        if (database is null && sources.MySql is not { Length: > 0 })
        {
            unavailable.Add("database (no --mysql): no issued/rejected counts or operator actions");
        }

        var timeline = AlertHistory.Timeline(alerts)
            .Concat(AppLog.Read(sources.AppLogs, from, to))
            .Concat(database?.OperatorActions ?? [])
            .Concat(drill?.Events.Select(e => new TimelineEntry(e.At, "drill", e.What)) ?? [])
            .OrderBy(e => e.At)
            .ToList();

        var start = drill?.InjectedAt ?? from;
        var severity = drill?.Severity ?? alerts.Select(a => a.Severity).Where(s => s.StartsWith('P')).Order().FirstOrDefault() ?? "P3";
        var target = severity switch { "P0" => SeverityTarget.P0, "P1" => SeverityTarget.P1, _ => SeverityTarget.P2 };
        var detected = alerts.Where(a => !a.FiringBefore && a.FiredAt >= start).Select(a => (DateTimeOffset?)a.FiredAt).Min();
        var responded = database?.OperatorActions.Where(a => detected is { } d && a.At >= d).Select(a => (DateTimeOffset?)a.At).Min();
        var resolved = drill is null
            ? alerts.Select(a => a.ResolvedAt).Max()
            : drill.RecoveredAt;

        return new PostmortemFacts(from, to, severity, start,
        [
            new("detect (fault to the first alert firing)", Seconds(start, detected), target.Detect.TotalSeconds),
            new("respond (alert to the first operator action in admin_audit)", Seconds(detected, responded), target.Respond.TotalSeconds),
            new("resolve (fault to recovered)", Seconds(start, resolved), target.Resolve.TotalSeconds),
        ], database, metrics, drill, alerts, timeline, charts, unavailable);
    }

    private static double? Seconds(DateTimeOffset? from, DateTimeOffset? to) => from is { } f && to is { } t ? (t - f).TotalSeconds : null;

    private static async Task<T?> Try<T>(Func<Task<T>> read, string what, List<string> unavailable) where T : class
    {
        try
        {
            return await read();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or MySqlConnector.MySqlException or System.Text.Json.JsonException or IOException)
        {
            unavailable.Add($"{what}: {ex.Message}");
            return null;
        }
    }
}
