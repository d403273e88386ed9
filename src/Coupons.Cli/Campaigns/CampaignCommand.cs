using System.CommandLine;
using System.Globalization;
using Coupons.Cli.Actions;
using Coupons.Client;
using Coupons.Contracts;
using Spectre.Console;

namespace Coupons.Cli.Campaigns;

/// <summary>
/// <c>couponctl campaign list|show</c>: the campaigns as the admin API reports them (a read key is enough). A figure
/// the gate could not give is shown as "?" with the reason, never as 0. Reading only: the sale's controls (pause,
/// resume, end, add-stock) come with the campaign lifecycle (issue 23).
/// </summary>
public static class CampaignCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var max = new Option<int>("--max") { Description = "How many, newest first: 1 to 200.", DefaultValueFactory = _ => 50 };
        max.Validators.Add(result =>
        {
            // Only a number the parser could read: a missing or bad value is its error already (reading it here threw).
            if (result.Tokens is [{ } token] && int.TryParse(token.Value, CultureInfo.InvariantCulture, out var asked) && asked is < 1 or > 200)
            {
                result.AddError("--max is 1 to 200: the API lists at most 200 campaigns a page.");
            }
        });
        var list = new Command("list", "List campaigns, newest first: state, window, total, issued, in flight, remaining.") { max };
        Targets.AddTo(list);
        list.SetAction(async (parse, ct) =>
        {
            using var http = OperatorActions.AdminHttp(Targets.From(parse));
            var campaigns = await new CouponsAdminClient(http).CampaignsAsync(parse.GetValue(max), ct);
            var output = CliOutput.From(parse, console);
            if (output.IsJson)
            {
                output.WriteJson(new CampaignsJson("campaign list", 1, campaigns));
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("coupon", "name", "state", "window (UTC)", "total", "issued", "in flight", "remaining");
            campaigns.ForEach(c => table.AddRow(c.CouponId.ToString(CultureInfo.InvariantCulture), Markup.Escape(c.Name), c.State, Window(c),
                Number(c.Total), Number(c.Issued), Figure(c.InFlight), Figure(c.Remaining)));
            console.Write(table);
            console.MarkupLineInterpolated($"{campaigns.Count} campaigns");
            foreach (var unread in campaigns.Where(c => c.Unread is not null))
            {
                console.MarkupLineInterpolated($"[yellow]coupon {unread.CouponId}: ? = not read: {unread.Unread}[/]");
            }

            return ExitCodes.Ok;
        });

        var coupon = new Argument<long>("coupon") { Description = "The coupon id." };
        var show = new Command("show", "One campaign: its state, window and figures.") { coupon };
        Targets.AddTo(show);
        show.SetAction(async (parse, ct) =>
        {
            using var http = OperatorActions.AdminHttp(Targets.From(parse));
            var c = await new CouponsAdminClient(http).CampaignAsync(parse.GetValue(coupon), ct);
            var output = CliOutput.From(parse, console);
            if (output.IsJson)
            {
                output.WriteJson(new CampaignJson("campaign show", 1, c));
                return ExitCodes.Ok;
            }

            console.MarkupLineInterpolated($"[bold]coupon {c.CouponId}[/] {c.Name}: [bold]{c.State}[/]");
            console.MarkupLineInterpolated($"window    {Window(c)}");
            console.MarkupLineInterpolated($"total {Number(c.Total)}, issued {Number(c.Issued)}, in flight {Figure(c.InFlight)}, remaining {Figure(c.Remaining)}");
            if (c.Unread is not null)
            {
                console.MarkupLineInterpolated($"not read: {c.Unread}");
            }

            return ExitCodes.Ok;
        });

        return new Command("campaign", "The campaigns (one coupon's sale each): list them, show one.") { list, show };
    }

    private static string Window(CampaignView c) =>
        $"{c.StartDate.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} → {c.EndDate.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}";

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Figure(long? value) => value is { } known ? Number(known) : "?";

    /// <summary><c>couponctl campaign list --output json</c> (docs/couponctl-json.md).</summary>
    public sealed record CampaignsJson(string Command, int ShapeVersion, IReadOnlyList<CampaignView> Campaigns);

    /// <summary><c>couponctl campaign show --output json</c> (docs/couponctl-json.md).</summary>
    public sealed record CampaignJson(string Command, int ShapeVersion, CampaignView Campaign);
}
