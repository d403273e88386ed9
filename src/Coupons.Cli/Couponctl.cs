using System.CommandLine;
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

        return root;
    }
}
