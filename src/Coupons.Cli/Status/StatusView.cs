using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Coupons.Cli.Status;

/// <summary>
/// The checklist on one screen: the verdict first (with what was read and what was not looked at), then each replica,
/// the pipeline, the open coupons, the alerts, and every finding with its runbook.
/// </summary>
public static class StatusView
{
    public static IRenderable Render(Signals s, Assessment a, Targets targets)
    {
        var verdict = a.Severity == Severity.None
            ? new Markup($"[green bold]OK[/]  nothing found in what was read at {s.At:HH:mm:ss} UTC: {Markup.Escape(WhatWasRead(s))}")
            : new Markup($"[{Colour(a.Severity)} bold]{a.Severity}[/]  open [bold]docs/runbooks/{Markup.Escape(a.Runbook!)}.md[/]: " +
                $"{Markup.Escape(a.Findings[0].Reason)}  ({s.At:HH:mm:ss} UTC)");
        var notLookedAt = new Markup($"[grey]not looked at: {Markup.Escape(string.Join("; ", a.NotLookedAt))}[/]");

        var replicas = new Table().Title("replicas (readiness and /metrics)").AddColumns("replica", "dependency", "status", "details");
        foreach (var r in s.Replicas)
        {
            var name = Markup.Escape(r.Replica.App.ToString());
            if (r.AppUnreachable is not null)
            {
                replicas.AddRow(name, "app", "[red]UNREACHABLE[/]", Markup.Escape(r.AppUnreachable));
            }

            foreach (var d in r.Dependencies)
            {
                replicas.AddRow(name, d.Name, d.Up ? "[green]UP[/]" : "[red]DOWN[/]", Markup.Escape(d.Details ?? ""));
            }

            if (r.MetricsError is not null)
            {
                replicas.AddRow(name, "/metrics", "[red]UNREADABLE[/]", Markup.Escape(r.MetricsError));
            }
        }

        replicas.Caption(string.Join(", ", s.Replicas.Select(r => $"{r.Replica.App.Authority} health in {r.HealthLatency.TotalMilliseconds:F0} ms")));

        var pipeline = new Table().Title("pipeline").AddColumns("signal", "value");
        var read = s.Replicas.Count(r => r.MetricsError is null);
        if (read == 0)
        {
            pipeline.AddRow("metrics", "[red]unreadable on every replica[/]: lag, circuits, parked and consumers not seen");
        }
        else
        {
            var of = read == s.Replicas.Count ? "" : $" (from {read} of {s.Replicas.Count} replicas)";
            pipeline.AddRow("consumer lag", s.LagByPartition.Count == 0 ? "[yellow]unknown[/]: no replica exports it (Kafka unreadable?)" :
                $"{s.ConsumerLag:N0} ({string.Join(", ", s.LagByPartition.OrderBy(p => p.Key).Select(p => $"p{p.Key}={p.Value}"))}){of}");
            pipeline.AddRow("circuits", string.Join("; ", s.Replicas.Where(r => r.MetricsError is null).Select(r =>
                $"{Markup.Escape(r.Replica.Admin.Authority)}: {string.Join(", ", r.Circuits.Select(c => $"{c.Key} {CircuitName(c.Value)}"))}")));
            pipeline.AddRow("parked", s.Parked is { } parked ? parked.ToString("N0", CultureInfo.InvariantCulture) + of
                : "[yellow]unknown[/]: no replica exports it (database unreadable?)");
            pipeline.AddRow("consumers", string.Join("; ", s.Replicas.Where(r => r.MetricsError is null).Select(r =>
                $"{Markup.Escape(r.Replica.Admin.Authority)}: {(r.ConsumerPaused ? "[yellow]paused by an operator[/]" : "running")}")));
        }

        pipeline.AddRow("sales", s.PausesError is not null ? $"[red]pauses unreadable[/]: {Markup.Escape(s.PausesError)}"
            : s.Pauses.Count == 0 ? "on (no pause in force)"
            : "[yellow]paused[/]: " + Markup.Escape(string.Join("; ", s.Pauses.OrderBy(p => p.CouponId ?? 0).Select(p =>
                $"{(p.CouponId is { } id ? $"coupon {id}" : "EVERY SALE")} since {p.PausedAt:HH:mm} UTC by {p.PausedBy}{(p.Reason is null ? "" : $" ({p.Reason})")}"))));
        pipeline.AddRow("dead letters", s.AdminError is not null
            ? $"[red]admin API unreadable[/]: {Markup.Escape(s.AdminError)}"
            : $"{s.NewDeadLetters} in the last {AlertRules.DeadLetterWindow.TotalMinutes:F0} min ({s.DeadLetters} on the topic)");

        var coupons = new Table().Title("open coupons").AddColumns("coupon", "consistent", "in flight", "parked", "problems");
        if (s.AdminError is not null)
        {
            coupons.Caption("not seen: the admin API did not answer");
        }

        foreach (var c in s.Coupons)
        {
            coupons.AddRow($"{c.Id} {Markup.Escape(c.Name)}", c.Unreadable is not null ? "[red]unreadable[/]" : c.Consistent ? "[green]yes[/]" : "[yellow]no[/]",
                $"{c.InFlight}", $"{c.Parked}", Markup.Escape(c.Unreadable ?? string.Join("; ", c.Problems)));
        }

        var alerts = new Table().Title("alerts firing").AddColumns("alert", "severity", "since");
        if (!s.AlertmanagerAsked)
        {
            alerts.Caption("not seen: Alertmanager not asked (--alertmanager)");
        }
        else if (s.AlertmanagerError is not null)
        {
            alerts.Caption($"not seen: Alertmanager unreadable: {Markup.Escape(s.AlertmanagerError)}");
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

        return new Rows(verdict, notLookedAt, replicas, pipeline, coupons, alerts, findings);
    }

    /// <summary>The sources an OK stands on, so nobody reads it as more than that.</summary>
    private static string WhatWasRead(Signals s) =>
        $"health and /metrics of {string.Join(", ", s.Replicas.Select(r => r.Replica.App.Authority))}, the admin API" +
        (s.AlertmanagerAsked ? ", Alertmanager" : "");

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
