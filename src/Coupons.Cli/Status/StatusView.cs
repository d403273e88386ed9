using Spectre.Console;
using Spectre.Console.Rendering;

namespace Coupons.Cli.Status;

/// <summary>The checklist on one screen: the verdict first, then each signal, then every finding with its runbook.</summary>
public static class StatusView
{
    public static IRenderable Render(Signals s, Assessment a, Targets targets)
    {
        var verdict = a.Severity == Severity.None
            ? new Markup($"[green bold]OK[/]  nothing found at {s.At:HH:mm:ss} UTC ({Markup.Escape(targets.App.ToString())})")
            : new Markup($"[{Colour(a.Severity)} bold]{a.Severity}[/]  open [bold]docs/runbooks/{Markup.Escape(a.Runbook!)}.md[/]: " +
                $"{Markup.Escape(a.Findings[0].Reason)}  ({s.At:HH:mm:ss} UTC)");

        var dependencies = new Table().Title("dependencies (readiness)").AddColumns("dependency", "status", "details");
        if (s.AppUnreachable is not null)
        {
            dependencies.AddRow("app", "[red]UNREACHABLE[/]", Markup.Escape(s.AppUnreachable));
        }

        foreach (var d in s.Dependencies)
        {
            dependencies.AddRow(d.Name, d.Up ? "[green]UP[/]" : "[red]DOWN[/]", Markup.Escape(d.Details ?? ""));
        }

        dependencies.Caption($"health answered in {s.HealthLatency.TotalMilliseconds:F0} ms");

        var pipeline = new Table().Title("pipeline").AddColumns("signal", "value");
        if (s.MetricsError is not null)
        {
            pipeline.AddRow("metrics", $"[red]unreadable[/]: {Markup.Escape(s.MetricsError)}");
        }
        else
        {
            pipeline.AddRow("consumer lag", s.LagByPartition.Count == 0 ? "-" :
                $"{s.LagByPartition.Values.Sum():N0} ({string.Join(", ", s.LagByPartition.OrderBy(p => p.Key).Select(p => $"p{p.Key}={p.Value}"))})");
            pipeline.AddRow("circuits", string.Join(", ", s.Circuits.Select(c => $"{c.Key} {CircuitName(c.Value)}")));
            pipeline.AddRow("parked", s.Parked.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
            pipeline.AddRow("consumer", s.ConsumerPaused ? "[yellow]paused by an operator[/]" : "running");
        }

        pipeline.AddRow("dead letters", s.AdminError is not null ? $"[red]admin API unreadable[/]: {Markup.Escape(s.AdminError)}" : $"{s.DeadLetters}");

        var coupons = new Table().Title("open coupons").AddColumns("coupon", "consistent", "in flight", "parked", "problems");
        foreach (var c in s.Coupons)
        {
            coupons.AddRow($"{c.Id} {Markup.Escape(c.Name)}", c.Unreadable is not null ? "[red]unreadable[/]" : c.Consistent ? "[green]yes[/]" : "[yellow]no[/]",
                $"{c.InFlight}", $"{c.Parked}", Markup.Escape(c.Unreadable ?? string.Join("; ", c.Problems)));
        }

        var alerts = new Table().Title("alerts firing").AddColumns("alert", "severity", "since");
        if (!s.AlertmanagerAsked)
        {
            alerts.Caption("Alertmanager not asked (--alertmanager)");
        }
        else if (s.AlertmanagerError is not null)
        {
            alerts.Caption($"Alertmanager unreadable: {Markup.Escape(s.AlertmanagerError)}");
        }

        foreach (var alert in s.Alerts)
        {
            alerts.AddRow(Markup.Escape(alert.Name + (alert.Instance is { } i ? $" ({i})" : "")), $"[{Colour(Enum.TryParse<Severity>(alert.Severity, out var v) ? v : Severity.P3)}]{Markup.Escape(alert.Severity)}[/]",
                $"{alert.Since:HH:mm:ss}");
        }

        var findings = new Table().Title("findings, most urgent first").AddColumns("severity", "runbook", "why");
        foreach (var f in a.Findings)
        {
            findings.AddRow($"[{Colour(f.Severity)}]{f.Severity}[/]", Markup.Escape(f.Runbook), Markup.Escape(f.Reason));
        }

        return new Rows(verdict, dependencies, pipeline, coupons, alerts, findings);
    }

    private static string Colour(Severity severity) => severity switch
    {
        Severity.P0 => "red",
        Severity.P1 => "darkorange",
        Severity.P2 => "yellow",
        _ => "blue",
    };

    private static string CircuitName(int state) => state switch
    {
        0 => "closed",
        1 => "[red]open[/]",
        2 => "half-open",
        _ => "isolated",
    };
}
