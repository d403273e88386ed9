using Coupons.Cli.Drills;

namespace Coupons.Cli.Postmortem;

/// <summary>Where a post-mortem's data comes from; each source is optional and one that cannot be read is named as
/// such.</summary>
/// <param name="CouponId">The incident's coupon (a drill's own, or --coupon): the database impact is limited to
/// it.</param>
/// <param name="IncidentStart">When the impact began, if the people in the review know it (--incident-start).</param>
public sealed record PostmortemSources(Uri? Prometheus, string? MySql, IReadOnlyList<string> AppLogs, DrillReport? Drill, long? CouponId = null, DateTimeOffset? IncidentStart = null);

/// <summary>
/// Gathers a window's facts: alert history, app events, operator actions, drill events, impact from the database, the
/// app's counters and the drill's load counters; the severity, detect/respond/resolve times against the guide's
/// (design.md §1) targets; the charts.
/// </summary>
public static class PostmortemBuilder
{
    public static async Task<PostmortemFacts> BuildAsync(DateTimeOffset from, DateTimeOffset to, PostmortemSources sources, string chartDirectory, CancellationToken ct)
    {
        (from, to) = (from.ToUniversalTime(), to.ToUniversalTime());
        var unavailable = new List<string>();
        var drill = sources.Drill;
        using var prometheus = sources.Prometheus is { } p ? new PrometheusRange(p) : null;

        var alerts = prometheus is null ? [] : await Try(() => AlertHistory.ReadAsync(prometheus, from, to, ct), "alert history (Prometheus ALERTS)", unavailable) ?? [];
        var metrics = prometheus is null ? null : await Try(() => ImpactReader.FromMetricsAsync(prometheus, from, to, ct), "app counters (Prometheus)", unavailable);
        var versions = prometheus is null ? null : await Try(() => ImpactReader.VersionsAsync(prometheus, from, to, ct), "app versions (Prometheus coupons_build_info)", unavailable);
        var couponId = sources.Drill?.CouponId ?? sources.CouponId;
        var database = sources.MySql is { Length: > 0 } mysql ? await Try(() => ImpactReader.FromDatabaseAsync(mysql, from, to, couponId, ct), "database", unavailable) : null;
        var firstFailure = prometheus is null || sources.Drill is not null || sources.IncidentStart is not null
            ? null
            : await TryValue(() => ImpactReader.FirstFailureAsync(prometheus, from, to, ct), "first failed request (Prometheus)", unavailable);
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
            .Concat(database?.OperatorActions.Select(a => a.ToTimeline()) ?? [])
            .Concat(drill?.Events.Select(e => new TimelineEntry(e.At, "drill", e.What)) ?? [])
            .OrderBy(e => e.At)
            .ToList();

        var start = Start(drill, sources.IncidentStart?.ToUniversalTime(), firstFailure);
        // The level of what happened in the window: an alert already firing when it opened is another incident's.
        var severity = drill?.Severity ?? alerts.Where(a => !a.FiringBefore).Select(a => a.Severity).Where(s => s.StartsWith('P')).Order().FirstOrDefault() ?? "P3";
        return new PostmortemFacts(from, to, severity, start.At,
            Timings(severity, start, alerts, database?.OperatorActions, drill), database, metrics, drill, alerts, timeline, charts, unavailable)
        {
            Versions = versions,
        };
    }

    /// <summary>
    /// When the incident began and how that is known: the drill's injection, the review's --incident-start, or the
    /// first failed request Prometheus counted.
    /// </summary>
    public static (DateTimeOffset? At, string Source) Start(DrillReport? drill, DateTimeOffset? given, ImpactReader.FirstFailure? firstFailure) =>
        drill is not null ? (drill.InjectedAt, "the drill's injection")
        : given is not null ? (given, "--incident-start")
        : firstFailure is { BeforeWindow: true } ? (null, "unknown: failed FCFS answers were already being counted when the window opened (give --incident-start or an earlier --from)")
        : firstFailure is { At: { } at } ? (at, "the scrape before the first failed FCFS answer was counted (coupons_issue_requests_total, Prometheus)")
        : (null, "unknown: no drill, no --incident-start, and no failed FCFS answer counted in the window");

    /// <summary>
    /// Detect, respond and resolve against the targets of the incident's own level (P0–P3), each naming its sources:
    /// detect from the start to the first alert that fired after it (one already firing does not count); respond from
    /// detection to the first write in the admin audit by someone other than the drill; resolve from the start to the
    /// drill's recovery or, without a drill, to the last alert resolving, never while any alert still fires.
    /// </summary>
    public static IReadOnlyList<Timing> Timings(string severity, (DateTimeOffset? At, string Source) start, IReadOnlyList<AlertHistory.Firing> alerts,
        IReadOnlyList<AuditAction>? actions, DrillReport? drill)
    {
        var target = SeverityTarget.Of(severity);
        // The first alert that fired in the window (not one already firing when it opened). It may have fired before
        // the first failed answer (Redis down before anyone clicked): then detection took no time, not "never".
        var detected = alerts.Where(a => !a.FiringBefore && (drill is null || a.FiredAt >= drill.InjectedAt)).OrderBy(a => a.FiredAt).FirstOrDefault();
        var drillActor = drill?.Actor;
        var responded = detected is null || actions is null ? null
            : actions.Where(a => a.At >= detected.FiredAt && a.Actor != drillActor && IsResponse(a)).OrderBy(a => a.At).FirstOrDefault();
        var stillFiring = alerts.Where(a => a.ResolvedAt is null).Select(a => a.Alert).Distinct().ToList();
        DateTimeOffset? resolved = drill is not null ? drill.RecoveredAt
            : stillFiring.Count == 0 ? alerts.Select(a => a.ResolvedAt).Max()
            : null;

        return
        [
            new("detect (fault to the first alert firing)", start.At is { } begun && detected is not null ? Math.Max(0, (detected.FiredAt - begun).TotalSeconds) : null, target.Detect.TotalSeconds,
                start.At is null ? $"start {start.Source}" : detected is null ? $"start: {start.Source}; no alert fired in the window" : $"start: {start.Source}; {detected.Alert} firing (Prometheus ALERTS)"),
            new("respond (alert to the first operator action in admin_audit)", Seconds(detected?.FiredAt, responded?.At), target.Respond.TotalSeconds,
                detected is null ? "no alert fired in the window" : actions is null ? "admin_audit not read (no --mysql)"
                    : responded is null ? "no repair in admin_audit after the alert" + (drillActor is null ? "" : $" by anyone but the drill ({drillActor})")
                    : $"{responded.Actor}: {responded.Action} (admin_audit)"),
            new("resolve (fault to recovered)", Seconds(start.At, resolved), target.Resolve.TotalSeconds,
                drill is not null ? "the drill's recovery (a newcomer accepted, nothing in flight or parked)"
                    : stillFiring.Count > 0 ? $"not resolved: {string.Join(", ", stillFiring)} still firing at the window's end"
                    : "the last alert resolving (Prometheus ALERTS)"),
        ];
    }

    private static double? Seconds(DateTimeOffset? from, DateTimeOffset? to) => from is { } f && to is { } t && t >= f ? (t - f).TotalSeconds : null;

    /// <summary>
    /// A write that repairs or steers the service (not setting up users or coupons, which a drill or the business
    /// does).
    /// </summary>
    private static bool IsResponse(AuditAction action) =>
        !action.Action.StartsWith("POST /api/admin/users", StringComparison.Ordinal) && action.Action != "POST /api/admin/coupons";

    private static async Task<ImpactReader.FirstFailure?> TryValue(Func<Task<ImpactReader.FirstFailure?>> read, string what, List<string> unavailable)
    {
        try
        {
            return await read();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            unavailable.Add($"{what}: {ex.Message}");
            return null;
        }
    }

    private static async Task<T?> Try<T>(Func<Task<T>> read, string what, List<string> unavailable) where T : class
    {
        try
        {
            return await read();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or MySqlConnector.MySqlException or System.Text.Json.JsonException or IOException
            or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentOutOfRangeException)
        {
            unavailable.Add($"{what}: {ex.Message}");
            return null;
        }
    }
}
