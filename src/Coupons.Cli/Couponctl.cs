using System.CommandLine;
using System.CommandLine.Invocation;
using Coupons.Cli.Actions;
using Coupons.Cli.Collect;
using Coupons.Cli.Drills;
using Coupons.Cli.Postmortem;
using Coupons.Cli.Status;
using Spectre.Console;

namespace Coupons.Cli;

/// <summary>
/// The command tree: the checklist, the bundle, the drills, the post-mortem, then the operator actions.
/// </summary>
public static class Couponctl
{
    public static RootCommand Create(IAnsiConsole console, OperatorActions.Confirm confirm)
    {
        var root = new RootCommand("couponctl: the incident guide's checklists, drills and post-mortems for the coupon service\n\n" + ExitCodes.Table)
        {
            CliOutput.Option,
            StatusCommand.Create(console),
            CollectCommand.Create(console),
            DrillCommand.Create(console),
            PostmortemCommand.Create(console),
            Contexts.ContextCommand.Create(console),
            Campaigns.CampaignCommand.Create(console, confirm),
        };
        foreach (var action in OperatorActions.Create(console, confirm))
        {
            root.Subcommands.Add(action);
        }

        // --version prints couponctl's own build (System.CommandLine's default names the entry assembly: a test host's,
        // in tests).
        root.Options.OfType<VersionOption>().Single().Action = new PrintVersion();
        return root;
    }

    /// <summary>
    /// Parses and runs one command line, with the exit codes of <see cref="ExitCodes"/>: bad arguments are 2 (not
    /// System.CommandLine's 1, which means a failed drill here), and an exception nobody handled is 70 with one line
    /// on stderr (not a stack trace for the operator to read mid-incident).
    /// </summary>
    public static Task<int> InvokeAsync(string[] args, IAnsiConsole console, OperatorActions.Confirm confirm, InvocationConfiguration? configuration = null) =>
        InvokeAsync(Create(console, confirm), args, configuration ?? new InvocationConfiguration());

    public static async Task<int> InvokeAsync(RootCommand root, string[] args, InvocationConfiguration configuration)
    {
        configuration.EnableDefaultExceptionHandler = false;
        ParseResult? parse = null;
        try
        {
            parse = root.Parse(args); // defaults read the contexts file: inside, so a broken one is named, not a crash
            if (parse.Errors.Count > 0)
            {
                // Not System.CommandLine's answer (its help text on stdout, exit 1): the errors on stderr, exit 2, and
                // in json mode a document on stdout that says so.
                foreach (var error in parse.Errors)
                {
                    await configuration.Error.WriteLineAsync($"couponctl: {error.Message}");
                }

                await configuration.Error.WriteLineAsync("(couponctl <command> --help says what it takes)");
                return Fail(parse, configuration, new CliFailure.Verdict(ExitCodes.Usage, "usage", string.Join("; ", parse.Errors.Select(e => e.Message))));
            }

            return await parse.InvokeAsync(configuration);
        }
        catch (Exception ex)
        {
            var verdict = CliFailure.Classify(ex);
            await configuration.Error.WriteLineAsync(verdict.ExitCode == ExitCodes.Crashed ? verdict.Message : $"couponctl: {verdict.Message}");
            return Fail(parse, configuration, verdict);
        }
    }

    private static int Fail(ParseResult? parse, InvocationConfiguration configuration, CliFailure.Verdict verdict)
    {
        if (parse is not null && CliOutput.IsJsonRequested(parse))
        {
            CliOutput.Write(configuration.Output, new OutcomeJson(CliOutput.CommandName(parse), 1, verdict.Outcome, verdict.ExitCode, verdict.Message));
        }

        return verdict.ExitCode;
    }

    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(CliVersion.Current);
            return 0;
        }
    }
}
