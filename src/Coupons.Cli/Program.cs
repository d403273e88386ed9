// couponctl: the incident guide's checklists as one command (issue 14). Talks to the service's health, metrics and
// admin API, and to Alertmanager; every target is an option with an environment variable and a local default.
//   dotnet run --project src/Coupons.Cli -- status [--watch] [--url URL] [--admin-url URL] [--admin-key KEY] [--alertmanager URL]
using System.CommandLine;
using Coupons.Cli.Status;
using Spectre.Console;

var root = new RootCommand("couponctl: on-call checks for the coupon service")
{
    StatusCommand.Create(AnsiConsole.Console),
};
return await root.Parse(args).InvokeAsync();
