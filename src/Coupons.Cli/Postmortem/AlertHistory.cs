namespace Coupons.Cli.Postmortem;

/// <summary>
/// When each alert fired and resolved within a window, from Prometheus's <c>ALERTS</c> series (the history Prometheus
/// keeps of every rule's state; Alertmanager's API only knows the alerts active now). A run of consecutive firing
/// samples is one firing; it resolved one step after its last sample. The query reaches a few minutes past the window
/// (never past now) so an alert that fired inside it is seen resolving; one still firing at the end has no resolution.
/// </summary>
public static class AlertHistory
{
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan Beyond = TimeSpan.FromMinutes(5);

    /// <param name="FiringBefore">Already firing when the window opened: <see cref="FiredAt"/> is the window's start,
    /// not when it fired.</param>
    public sealed record Firing(string Alert, string Severity, DateTimeOffset FiredAt, DateTimeOffset? ResolvedAt, bool FiringBefore = false);

    public static async Task<IReadOnlyList<Firing>> ReadAsync(PrometheusRange prometheus, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var end = new[] { to + Beyond, DateTimeOffset.UtcNow }.Min();
        var step = Step * Math.Max(1, Math.Ceiling((end - from) / Step / 10_000)); // Prometheus answers at most 11,000 points a series
        var series = await prometheus.RangeAsync("max by (alertname, severity) (ALERTS{alertstate=\"firing\"})", from, end, step, ct);
        return Firings(series, from, to, end, step);
    }

    /// <summary>
    /// The firings in a range query's answer (queried from <paramref name="from"/> to <paramref name="end"/>), those
    /// that began by <paramref name="to"/>.
    /// </summary>
    public static IReadOnlyList<Firing> Firings(IReadOnlyList<RangeSeries> series, DateTimeOffset from, DateTimeOffset to, DateTimeOffset end, TimeSpan step)
    {
        // A value at a step means firing at that step: one with no value at the query's last step has resolved.
        var lastStep = from + step * Math.Floor((end - from) / step);
        var firings = new List<Firing>();
        foreach (var s in series)
        {
            var name = s.Labels.GetValueOrDefault("alertname", "?");
            var severity = s.Labels.GetValueOrDefault("severity", "?");
            DateTimeOffset? start = null;
            DateTimeOffset last = default;
            foreach (var (at, _) in s.Samples)
            {
                if (start is not null && at - last > step * 1.5)
                {
                    firings.Add(new Firing(name, severity, start.Value, last + step, start.Value - from < step * 1.5));
                    start = null;
                }

                start ??= at;
                last = at;
            }

            if (start is not null)
            {
                firings.Add(new Firing(name, severity, start.Value, last >= lastStep - step * 0.5 ? null : last + step, start.Value - from < step * 1.5));
            }
        }

        return [.. firings.Where(f => f.FiredAt <= to).OrderBy(f => f.FiredAt)];
    }

    public static IEnumerable<TimelineEntry> Timeline(IEnumerable<Firing> firings) => firings.SelectMany(f =>
        new[] { new TimelineEntry(f.FiredAt, "Prometheus ALERTS", f.FiringBefore ? $"{f.Alert} ({f.Severity}) already firing when the window opened" : $"{f.Alert} ({f.Severity}) firing") }
            .Concat(f.ResolvedAt is { } resolved ? [new TimelineEntry(resolved, "Prometheus ALERTS", $"{f.Alert} ({f.Severity}) resolved")] : []));
}
