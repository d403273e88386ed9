using System.CommandLine;
using System.CommandLine.Invocation;
using Coupons.Cli.Actions;
using Coupons.Cli.Collect;
using Coupons.Cli.Drills;
using Coupons.Cli.Postmortem;
using Coupons.Cli.Status;
using Spectre.Console;

namespace Coupons.Cli;

/// <summary>The command tree: the checklist, the bundle, the drills, the post-mortem, then the operator actions.</summary>
public static class Couponctl
{
    public static RootCommand Create(IAnsiConsole console, OperatorActions.Confirm confirm)
    {
        var root = new RootCommand("couponctl: the incident guide's checklists, drills and post-mortems for the coupon service")
        {
            StatusCommand.Create(console),
            CollectCommand.Create(console),
            DrillCommand.Create(console),
            PostmortemCommand.Create(console),
        };
        foreach (var action in OperatorActions.Create(console, confirm))
        {
            root.Subcommands.Add(action);
        }

        // --version prints couponctl's own build (System.CommandLine's default names the entry assembly: a test host's, in tests).
        root.Options.OfType<VersionOption>().Single().Action = new PrintVersion();
        return root;
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
