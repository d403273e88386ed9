// couponctl: the incident guide as one command (issue 14; docs in README "On call"). Every target is an option with
// an environment variable (COUPONCTL_*) and a local default.   couponctl status [--watch]                      the
// first-five-minutes checklist, severity and runbook   couponctl collect                               the diagnostic
// bundle (one zip) couponctl drill <scenario> [--stack test]       one of the guide's drills (design.md §1), PASS or
// FAIL, report in drills/   couponctl postmortem --drill <report.json>      the post-mortem template drafted from data
//   couponctl reconcile | gate rebuild | dlq list|replay | consumer pause|resume    operator actions, confirmed first
using Coupons.Cli;
using Spectre.Console;

// The operator actions ask before they act; with no terminal to ask on (a pipe, a cron job) they need --yes.
bool? Confirm(string question) => Console.IsInputRedirected ? null : AnsiConsole.Confirm(question, defaultValue: false);

// Ctrl+C cancels the command, then waits this long for it to end: a drill heals its fault on the way out (thawing a
// frozen server, starting a stopped one), which takes longer than System.CommandLine's 2 s default.
return await Couponctl.InvokeAsync(args, AnsiConsole.Console, Confirm,
    new System.CommandLine.InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
