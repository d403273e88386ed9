using ScottPlot;

namespace Coupons.Cli.Postmortem;

/// <summary>One chart of the post-mortem: what it shows and the PromQL it is drawn from.</summary>
public sealed record ChartSpec(string File, string Title, string YLabel, string Query);

/// <summary>
/// The post-mortem's charts over the window, drawn with ScottPlot from Prometheus range queries, the fault's span
/// shaded (from the drill, when there is one) and each firing alert marked.
/// </summary>
public static class Charts
{
    public static readonly IReadOnlyList<ChartSpec> All =
    [
        new("accepted.png", "Accepted clicks per second", "req/s", "sum(rate(coupons_issue_requests_total{outcome=\"accepted\"}[30s]))"),
        new("errors.png", "HTTP 5xx share of all requests", "ratio", "sum(rate(http_server_request_duration_seconds_count{http_response_status_code=~\"5..\"}[30s])) / clamp_min(sum(rate(http_server_request_duration_seconds_count[30s])), 1e-9)"),
        new("p99.png", "p99 latency of the public API", "seconds", "histogram_quantile(0.99, sum by (le) (rate(http_server_request_duration_seconds_bucket{http_route=~\"/api/.*\"}[30s])))"),
        new("lag.png", "Consumer lag (all partitions)", "messages", AlertRules.ConsumerLag),
    ];

    public static async Task<IReadOnlyList<string>> DrawAsync(PrometheusRange prometheus, DateTimeOffset from, DateTimeOffset to, (DateTimeOffset From, DateTimeOffset To)? fault,
        IReadOnlyList<AlertHistory.Firing> alerts, string directory, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        var step = TimeSpan.FromSeconds(Math.Max(2, (to - from).TotalSeconds / 400));
        var written = new List<string>();
        foreach (var chart in All)
        {
            var series = await prometheus.RangeAsync(chart.Query, from, to, step, ct);
            var path = Path.Combine(directory, chart.File);
            Draw(chart, series, from, to, fault, alerts).SavePng(path, 900, 380);
            written.Add(path);
        }

        return written;
    }

    private static Plot Draw(ChartSpec chart, IReadOnlyList<RangeSeries> series, DateTimeOffset from, DateTimeOffset to, (DateTimeOffset From, DateTimeOffset To)? fault,
        IReadOnlyList<AlertHistory.Firing> alerts)
    {
        var plot = new Plot();
        plot.Title(chart.Title);
        plot.YLabel(chart.YLabel);
        plot.XLabel("UTC");
        if (fault is { } f)
        {
            var span = plot.Add.HorizontalSpan(f.From.UtcDateTime.ToOADate(), f.To.UtcDateTime.ToOADate());
            span.FillStyle.Color = Colors.Red.WithAlpha(0.12);
            span.LegendText = "fault";
        }

        var colours = new ScottPlot.Palettes.Category10();
        foreach (var (alert, i) in alerts.Select((a, i) => (a, i)))
        {
            var line = plot.Add.VerticalLine(alert.FiredAt.UtcDateTime.ToOADate());
            line.Color = colours.GetColor(i + 1);
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = alert.FiringBefore ? $"{alert.Alert} (firing before)" : $"{alert.Alert} fired";
        }

        foreach (var s in series.Where(s => s.Samples.Count > 0))
        {
            var points = s.Samples.Where(p => double.IsFinite(p.Value)).ToList();
            var scatter = plot.Add.Scatter(points.Select(p => p.At.UtcDateTime.ToOADate()).ToArray(), points.Select(p => p.Value).ToArray());
            scatter.MarkerSize = 0;
            scatter.LineWidth = 2;
            scatter.Color = Colors.Black;
        }

        plot.Axes.DateTimeTicksBottom().TickGenerator = new ScottPlot.TickGenerators.DateTimeAutomatic { LabelFormatter = t => t.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) };
        plot.Axes.SetLimitsX(from.UtcDateTime.ToOADate(), to.UtcDateTime.ToOADate());
        plot.ShowLegend(Edge.Bottom); // below the chart: over it, it hides the data
        return plot;
    }
}
