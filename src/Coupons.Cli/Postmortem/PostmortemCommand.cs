using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Coupons.Cli.Drills;
using Spectre.Console;

namespace Coupons.Cli.Postmortem;

/// <summary>
/// <c>couponctl postmortem --from T1 --to T2 [--drill report.json] [--lang en|ko]</c>: the guide's post-mortem template
/// (design.md §1) drafted from data — timeline, impact, detect/respond/resolve against the targets, charts — as
/// Markdown with its PNG charts and the facts as JSON.
/// </summary>
public static class PostmortemCommand
{
    private static readonly Option<string?> From = new("--from") { Description = "Window start (ISO 8601; UTC unless it has an offset, e.g. 03:00+09:00). Default: the drill's start." };
    private static readonly Option<string?> To = new("--to") { Description = "Window end (ISO 8601; UTC unless it has an offset). Default: the drill's end." };
    private static readonly Option<long?> Coupon = new("--coupon") { Description = "The incident's coupon: the database impact is limited to it (a drill's own by default)." };
    private static readonly Option<string?> IncidentStart = new("--incident-start")
    {
        Description = "When the impact began, if known (ISO 8601). Default: the drill's injection, else the first failed FCFS answer Prometheus counted.",
    };
    private static readonly Option<string?> Drill = new("--drill") { Description = "A drill's report (.json) whose events and load counters to include." };

    private static readonly Option<string> Lang = new("--lang")
    {
        Description = "en, or ko for the guide's Korean headings.",
        DefaultValueFactory = _ => "en",
    };

    private static readonly Option<string?> Prometheus = new("--prometheus")
    {
        Description = "Prometheus (alert history, app counters, charts). Env COUPONCTL_PROMETHEUS.",
        DefaultValueFactory = _ => Contexts.CliSettings.Get("COUPONCTL_PROMETHEUS"),
    };

    private static readonly Option<string?> MySql = new("--mysql")
    {
        Description = "MariaDB connection string (read only: issued, refused, parked, admin_audit). Env COUPONCTL_MYSQL.",
        DefaultValueFactory = _ => Contexts.CliSettings.Get("COUPONCTL_MYSQL"),
    };

    private static readonly Option<string[]> Logs = new("--log") { Description = "An app log file (JSON lines); repeatable.", AllowMultipleArgumentsPerToken = true };

    private static readonly Option<string> Out = new("--out")
    {
        Description = "Directory for the draft, its charts and facts.",
        DefaultValueFactory = _ => "postmortems",
    };

    public static Command Create(IAnsiConsole console)
    {
        var command = new Command("postmortem", "Draft the guide's post-mortem for a window from alerts, app events, the database, metrics and a drill's report.");
        new Option[] { From, To, Drill, Lang, Prometheus, MySql, Logs, Out, Coupon, IncidentStart }.ToList().ForEach(command.Options.Add);
        command.SetAction(async (parse, ct) =>
        {
            var output = CliOutput.From(parse, console);
            DrillReport? drill;
            try
            {
                drill = parse.GetValue(Drill) is { Length: > 0 } path ? await DrillReportFiles.ReadAsync(path, ct) : null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidDataException)
            {
                return Usage(output, $"--drill: {ex.Message}");
            }

            DateTimeOffset? from, to, incidentStart;
            try
            {
                (from, to, incidentStart) = (Time(parse.GetValue(From)) ?? drill?.StartedAt, Time(parse.GetValue(To)) ?? drill?.EndedAt, Time(parse.GetValue(IncidentStart)));
            }
            catch (ArgumentException ex)
            {
                return Usage(output, ex.Message);
            }

            if (from is null || to is null || to <= from)
            {
                return Usage(output, "a window is needed: --from and --to (UTC), or --drill report.json");
            }

            if (incidentStart is { } begun && (begun < from || begun > to))
            {
                return Usage(output, "--incident-start must fall inside the window (--from .. --to)");
            }

            var sources = new PostmortemSources(parse.GetValue(Prometheus) is { Length: > 0 } p ? new Uri(p) : null, parse.GetValue(MySql), parse.GetValue(Logs) ?? [], drill,
                parse.GetValue(Coupon), incidentStart);
            var (markdown, _) = await WriteAsync(from.Value, to.Value, sources, parse.GetValue(Lang)!, parse.GetValue(Out)!, ct);
            if (output.IsJson)
            {
                output.WriteJson(PostmortemJson.Of(from.Value, to.Value, markdown));
                return ExitCodes.Ok;
            }

            console.MarkupLineInterpolated($"post-mortem draft: {markdown}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A window that makes no sense: said on stderr (json) or the console (text); nothing is
    /// written.</summary>
    private static int Usage(CliOutput output, string problem)
    {
        output.Text.MarkupLineInterpolated($"[red]{problem}[/]");
        if (output.IsJson)
        {
            output.WriteJson(new OutcomeJson("postmortem", 1, "usage", ExitCodes.Usage, problem));
        }

        return ExitCodes.Usage;
    }

    /// <returns>The Markdown's path and the facts it was drawn from.</returns>
    public static async Task<(string Markdown, PostmortemFacts Facts)> WriteAsync(DateTimeOffset from, DateTimeOffset to, PostmortemSources sources, string lang, string directory, CancellationToken ct)
    {
        var stem = $"{from.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{sources.Drill?.Scenario ?? "incident"}-postmortem{(lang == "ko" ? ".ko" : "")}";
        var charts = $"{stem}-charts";
        var facts = await PostmortemBuilder.BuildAsync(from, to, sources, Path.Combine(directory, charts), ct);
        Directory.CreateDirectory(directory);
        var markdown = Path.Combine(directory, stem + ".md");
        await File.WriteAllTextAsync(markdown, PostmortemDocument.Render(facts, lang, charts), ct);
        await File.WriteAllTextAsync(Path.Combine(directory, stem + ".json"), JsonSerializer.Serialize(facts, DrillReportFiles.Json), ct);
        return (markdown, facts);
    }

    /// <summary>A time as given, in UTC: "03:00+09:00" is 18:00 UTC the day before, and the draft says so.</summary>
    public static DateTimeOffset? Time(string? value) =>
        value is not { Length: > 0 } ? null
        : DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at.ToUniversalTime()
        : throw new ArgumentException($"'{value}' is not a time (ISO 8601, e.g. 2026-11-26T14:23Z or 2026-11-26T23:23+09:00)");
}
