using System.CommandLine;
using Spectre.Console;

namespace Coupons.Cli.Drills;

/// <summary>
/// <c>couponctl drill &lt;scenario&gt;</c>: one of the guide's drills (design.md §1) against the local topology or the
/// test stack, with load, detection, recovery and I1–I6 (design.md §2); PASS or FAIL, written to <c>drills/</c>. Exit
/// code 0 on PASS, 1 on FAIL, 7 when it refused to start (its alert already active, no --mysql) (ExitCodes).
/// </summary>
public static class DrillCommand
{
    private static readonly Argument<string> Scenario = new Argument<string>("scenario")
    {
        Description = string.Join(", ", DrillScenario.All.Select(s => s.Name)),
    }.AcceptOnlyFromAmong([.. DrillScenario.All.Select(s => s.Name)]);

    private static readonly Option<string> Stack = new("--stack")
    {
        Description = "topology (the AppHost's processes, the default) or test (scripts/test-infra.sh's). Env COUPONCTL_STACK.",
        DefaultValueFactory = _ => Contexts.CliSettings.Get("COUPONCTL_STACK") ?? "topology",
    };

    private static readonly Option<string?> Prometheus = new("--prometheus")
    {
        Description = "Prometheus, to time the alert (topology default http://127.0.0.1:19390). Env COUPONCTL_PROMETHEUS.",
        DefaultValueFactory = _ => Contexts.CliSettings.Get("COUPONCTL_PROMETHEUS"),
    };

    private static readonly Option<string?> MySql = new("--mysql")
    {
        Description = "MariaDB connection string for the invariant checks (read only). Env COUPONCTL_MYSQL; the topology's by default.",
        DefaultValueFactory = _ => Contexts.CliSettings.Get("COUPONCTL_MYSQL"),
    };

    private static readonly Option<double> Rate = new("--users-per-second")
    {
        Description = "New users arriving each second, each clicking until answered.",
        DefaultValueFactory = _ => 5,
    };

    private static readonly Option<string> Out = new("--out")
    {
        Description = "Where the report goes.",
        DefaultValueFactory = _ => "drills",
    };

    private static readonly Option<string?> DrillKey = new("--drill-key")
    {
        Description = "An admin key of the drill's own (Admin:Keys has one per operator and per drill), so the audit tells the drill from people. Env COUPONCTL_DRILL_KEY; default --admin-key.",
        DefaultValueFactory = _ => Contexts.CliSettings.Environment("COUPONCTL_DRILL_KEY"),
    };

    private static readonly Option<string> Repo = new("--repo")
    {
        Description = "The repository (scripts/test-infra.sh) for --stack test.",
        DefaultValueFactory = _ => Directory.GetCurrentDirectory(),
    };

    /// <summary>
    /// The local topology's read-only on-call user (src/Coupons.AppHost/DataStores.cs); a local default, not a secret.
    /// </summary>
    public const string TopologyMySql = "Server=127.0.0.1;Port=13316;Database=coupons;User ID=couponctl;Password=couponctl-local-topology";

    public static Command Create(IAnsiConsole console)
    {
        var command = new Command("drill", "Run one of the guide's drills: load, fault, time to detect and recover, I1-I6; PASS or FAIL, report in drills/.");
        command.Arguments.Add(Scenario);
        Targets.AddTo(command);
        new Option[] { Stack, Prometheus, MySql, Rate, Out, Repo, DrillKey }.ToList().ForEach(command.Options.Add);
        command.SetAction((parse, ct) =>
        {
            var drillKey = parse.GetValue(DrillKey);
            var targets = Targets.From(parse);
            if (Targets.RefuseManyReplicas(targets, "drill", CliOutput.From(parse, console)) is { } refused)
            {
                return Task.FromResult(refused);
            }

            if (drillKey is { Length: > 0 })
            {
                targets = targets with { AdminKey = drillKey };
            }

            var topology = parse.GetValue(Stack) != "test";
            var settings = new DrillSettings(
                targets,
                topology ? DrillStack.Topology() : DrillStack.Test(parse.GetValue(Repo)!, targets.Admin),
                parse.GetValue(Prometheus) is { Length: > 0 } p ? new Uri(p) : topology ? new Uri("http://127.0.0.1:19390") : null,
                parse.GetValue(MySql) ?? (topology ? TopologyMySql : Environment.GetEnvironmentVariable("COUPONS_TEST_MYSQL") ?? ""),
                parse.GetValue(Rate),
                TimeSpan.FromSeconds(10),
                TimeSpan.FromSeconds(10)) { OwnKey = drillKey is { Length: > 0 } };
            return RunAsync(CliOutput.From(parse, console), DrillScenario.Named(parse.GetValue(Scenario)!), settings, parse.GetValue(Out)!, ct);
        });
        return command;
    }

    public static Task<int> RunAsync(IAnsiConsole console, DrillScenario scenario, DrillSettings settings, string outDirectory, CancellationToken ct) =>
        RunAsync(CliOutput.ForText(console), scenario, settings, outDirectory, ct);

    /// <summary>Runs the drill; with json the progress goes to stderr and stdout gets one <see
    /// cref="DrillJson"/>.</summary>
    public static async Task<int> RunAsync(CliOutput output, DrillScenario scenario, DrillSettings settings, string outDirectory, CancellationToken ct)
    {
        var console = output.Text;
        DrillReport report;
        try
        {
            report = await new DrillRunner(scenario, settings, line => console.MarkupLineInterpolated($"[grey]{DateTime.UtcNow:HH:mm:ss}[/] {line}")).RunAsync(ct);
        }
        catch (DrillRefusedException refused)
        {
            console.MarkupLineInterpolated($"[bold red]REFUSED[/] {scenario.Name}: {refused.Message}");
            if (output.IsJson)
            {
                output.WriteJson(new DrillJson("drill", DrillJson.CurrentShape, scenario.Name, "REFUSED", ExitCodes.DrillRefused, refused.Message, null, null, null));
            }

            return ExitCodes.DrillRefused;
        }

        var (markdown, json) = await DrillReportFiles.WriteAsync(report, outDirectory, ct);
        var exitCode = report.Passed ? ExitCodes.Ok : ExitCodes.DrillFailed;
        if (output.IsJson)
        {
            output.WriteJson(new DrillJson("drill", DrillJson.CurrentShape, scenario.Name, report.Verdict, exitCode, null, markdown, json, report));
        }

        console.MarkupLineInterpolated($"[bold {(report.Passed ? "green" : "red")}]{report.Verdict}[/] {scenario.Name}: detect {report.DetectedAfterSeconds?.ToString("F1") ?? "-"} s, recover {report.RecoveredAfterSeconds?.ToString("F1") ?? "-"} s, invariants {report.Invariants.Count(i => i.Holds)}/{report.Invariants.Count}");
        report.Failures.ToList().ForEach(f => console.MarkupLineInterpolated($"  [red]{f}[/]"));
        console.MarkupLineInterpolated($"report: {markdown}, {json}");
        return exitCode;
    }
}
