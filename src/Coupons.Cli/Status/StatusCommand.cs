using System.CommandLine;
using Spectre.Console;

namespace Coupons.Cli.Status;

/// <summary>
/// <c>couponctl status [--watch]</c>: the guide's first-five-minutes checklist on one screen (design.md §8), the
/// overall severity by its P0–P3 definitions, the runbook to open next and why. Exit code: 0 OK, 10 + the P level
/// otherwise. With <c>--output json</c>, one <see cref="StatusJson"/> (one reading: <c>--watch</c> is for screens).
/// </summary>
public static class StatusCommand
{
    private static readonly Option<bool> Watch = new("--watch") { Description = "Refresh until Ctrl+C." };

    private static readonly Option<int> Every = new("--every")
    {
        Description = "Seconds between refreshes with --watch.",
        DefaultValueFactory = _ => 5,
    };

    public static Command Create(IAnsiConsole console)
    {
        var command = new Command("status", "The first-five-minutes checklist: dependencies, pipeline, open coupons, alerts; severity and runbook.");
        Targets.AddTo(command);
        command.Options.Add(Watch);
        command.Options.Add(Every);
        command.Validators.Add(result =>
        {
            if (ParsedValue.TryRead(() => result.GetValue(Watch) && result.GetValue(CliOutput.Option) == OutputFormat.Json, out var jsonWatch) && jsonWatch)
            {
                result.AddError("--watch redraws a screen; for scripts run status --output json once per reading");
            }
        });
        command.SetAction((parse, ct) => RunAsync(CliOutput.From(parse, console), Targets.From(parse), parse.GetValue(Watch),
            TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(Every))), ct));
        return command;
    }

    public static Task<int> RunAsync(IAnsiConsole console, Targets targets, bool watch, TimeSpan every, CancellationToken ct) =>
        RunAsync(CliOutput.ForText(console), targets, watch, every, ct);

    public static async Task<int> RunAsync(CliOutput output, Targets targets, bool watch, TimeSpan every, CancellationToken ct)
    {
        using var reader = new SignalReader(targets);
        var signals = await reader.ReadAsync(ct);
        var assessment = Triage.Assess(signals);
        var console = output.Text;
        if (output.IsJson)
        {
            output.WriteJson(StatusJson.From(signals, assessment));
            return assessment.ExitCode;
        }

        if (!watch)
        {
            console.Write(StatusView.Render(signals, assessment, targets));
            return assessment.ExitCode;
        }

        try
        {
            await console.Live(StatusView.Render(signals, assessment, targets)).StartAsync(async live =>
            {
                while (!ct.IsCancellationRequested)
                {
                    await Task.Delay(every, ct);
                    signals = await reader.ReadAsync(ct);
                    assessment = Triage.Assess(signals);
                    live.UpdateTarget(StatusView.Render(signals, assessment, targets));
                }
            });
        }
        catch (OperationCanceledException)
        {
        }

        return assessment.ExitCode;
    }
}
