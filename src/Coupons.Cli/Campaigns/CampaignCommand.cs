using System.CommandLine;
using System.Globalization;
using Coupons.Cli.Actions;
using Coupons.Client;
using Coupons.Contracts;
using Spectre.Console;

namespace Coupons.Cli.Campaigns;

/// <summary>
/// <c>couponctl campaign list|show</c>: the campaigns as the admin API reports them (a read key is enough). A figure
/// the gate could not give is shown as "?" with the reason, never as 0. <c>campaign pause|resume</c>: the kill switch
/// of one sale or, with <c>--all</c>, of every sale, as operator actions (<see cref="OperatorActions"/>: a prompt that
/// says what it will do, <c>--yes</c>, the operate key, one line saying what was done).
/// </summary>
public static class CampaignCommand
{
    public static Command Create(IAnsiConsole console, OperatorActions.Confirm confirm)
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
            if (c.Pause is { } pause)
            {
                console.MarkupLineInterpolated(
                    $"[yellow]{(pause.CouponId is null ? "every sale " : "")}paused since {pause.PausedAt:yyyy-MM-dd HH:mm:ss} UTC by {pause.PausedBy}: {pause.Reason ?? "(no reason given)"}[/]");
            }
            if (c.Unread is not null)
            {
                console.MarkupLineInterpolated($"not read: {c.Unread}");
            }

            return ExitCodes.Ok;
        });

        var (pause, resume) = SwitchCommands(console, confirm);
        return new Command("campaign", "The campaigns (one coupon's sale each): list, show, pause and resume, end, change the total.")
        {
            list, show, pause, resume, EndCommand(console, confirm), WindowCommand(console, confirm), AddStockCommand(console, confirm), SetTotalCommand(console, confirm),
        };
    }

    private static Command EndCommand(IAnsiConsole console, OperatorActions.Confirm confirm)
    {
        var coupon = new Argument<long>("coupon") { Description = "The coupon whose sale to end." };
        var end = OperatorActions.Action("end", "End a sale now: its clicks answer 409 COUPON_ENDED; requests already accepted are still issued.",
            console, confirm,
            async (admin, p, ct) => $"End the sale of {await OperatorActions.DescribeAsync(admin, p.GetValue(coupon), ct)} now? This cannot be undone: an ended sale keeps its window.",
            async (admin, p, ct) => OperatorActions.Answered(await admin.EndCampaignAsync(p.GetValue(coupon), ct), r => (ExitCodes.Ok, r.Changed
                ? $"done: the sale of coupon {r.Campaign.CouponId} ended at {r.Campaign.EndDate:yyyy-MM-dd HH:mm:ss} UTC; {r.Campaign.Issued} issued"
                : $"done: the sale of coupon {r.Campaign.CouponId} had already ended ({r.Campaign.EndDate:yyyy-MM-dd HH:mm} UTC)")));
        end.Arguments.Add(coupon);
        return end;
    }

    /// <summary>
    /// <c>campaign window &lt;coupon&gt; [--start T] [--end T]</c>: moves a sale's start or end by the service's rules
    /// (a begun sale keeps its start, an ended one its window; refused, 3). Times are ISO 8601; without an offset, UTC.
    /// </summary>
    private static Command WindowCommand(IAnsiConsole console, OperatorActions.Confirm confirm)
    {
        var coupon = new Argument<long>("coupon") { Description = "The coupon whose sale to move." };
        var start = new Option<string?>("--start") { Description = "The new start (ISO 8601, e.g. 2026-12-24T09:00:00Z; UTC without an offset)." };
        var end = new Option<string?>("--end") { Description = "The new end (ISO 8601; UTC without an offset)." };
        var window = OperatorActions.Action("window", "Move a sale's start or end (a begun sale keeps its start; an ended one its window).", console, confirm,
            async (admin, p, ct) => $"Move the window of {await OperatorActions.DescribeAsync(admin, p.GetValue(coupon), ct)}"
                + $"{(Time(p.GetValue(start)) is { } s ? $": start {s:yyyy-MM-dd HH:mm:ss} UTC" : "")}{(Time(p.GetValue(end)) is { } e ? $", end {e:yyyy-MM-dd HH:mm:ss} UTC" : "")}?",
            async (admin, p, ct) =>
            {
                var answer = await admin.MoveWindowAsync(p.GetValue(coupon), Time(p.GetValue(start)), Time(p.GetValue(end)), ct);
                return answer.Problem is { } problem
                    ? new OperatorActions.Outcome(ExitCodes.Refused, $"refused: {problem}", Status: (int)answer.Status)
                    : OperatorActions.Answered(answer.Value!, r => (ExitCodes.Ok, r.Changed
                        ? $"done: coupon {r.Campaign.CouponId}'s sale runs {r.Campaign.StartDate:yyyy-MM-dd HH:mm:ss} to {r.Campaign.EndDate:yyyy-MM-dd HH:mm:ss} UTC"
                        : $"done: coupon {r.Campaign.CouponId}'s window already was {r.Campaign.StartDate:yyyy-MM-dd HH:mm:ss} to {r.Campaign.EndDate:yyyy-MM-dd HH:mm:ss} UTC"));
            });
        window.Arguments.Add(coupon);
        window.Options.Add(start);
        window.Options.Add(end);
        window.Validators.Add(result =>
        {
            if (!ParsedValue.TryRead(() => new[] { result.GetValue(start), result.GetValue(end) }, out var given))
            {
                return;
            }

            if (given.All(t => t is null))
            {
                result.AddError("give --start, --end or both.");
            }
            else if (given.Any(t => t is not null && Time(t) is null))
            {
                result.AddError("--start and --end are ISO 8601 times, e.g. 2026-12-24T09:00:00Z.");
            }
        });
        return window;
    }

    private static DateTimeOffset? Time(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time.ToUniversalTime() : null;

    /// <summary>
    /// Adds to the total read just before, sending that total as the one expected: a retry after an unknown outcome
    /// is refused (409 TOTAL_CHANGED) instead of adding twice.
    /// </summary>
    private static Command AddStockCommand(IAnsiConsole console, OperatorActions.Confirm confirm)
    {
        var coupon = new Argument<long>("coupon") { Description = "The coupon whose total to raise." };
        var units = new Argument<int>("units") { Description = "How many units to add (1 to 10,000,000)." };
        units.Validators.Add(result =>
        {
            if (result.Tokens is [{ } token] && int.TryParse(token.Value, CultureInfo.InvariantCulture, out var n) && n is < 1 or > 10_000_000)
            {
                result.AddError("units is 1 to 10,000,000 (to lower a total, use set-total).");
            }
        });
        var expected = new Option<int?>("--expected-total")
        {
            Description = "Add to this total only (what you read before: a rerun after an unknown outcome then cannot add twice).",
        };
        var addStock = OperatorActions.Action("add-stock", "Raise a sale's total by N units; they go on sale at once.", console, confirm,
            async (admin, p, ct) => $"Add {p.GetValue(units):N0} units to {await OperatorActions.DescribeAsync(admin, p.GetValue(coupon), ct)}?",
            async (admin, p, ct) =>
            {
                var from = p.GetValue(expected) ?? (await admin.CampaignAsync(p.GetValue(coupon), ct)).Total;
                var total = (long)from + p.GetValue(units);
                return total > 10_000_000
                    ? new OperatorActions.Outcome(ExitCodes.Usage, $"not done: {from:N0} + {p.GetValue(units):N0} is over the most a sale can have (10,000,000)")
                    : TotalChanged(await admin.ChangeTotalAsync(p.GetValue(coupon), (int)total, from, ct));
            });
        addStock.Arguments.Add(coupon);
        addStock.Arguments.Add(units);
        addStock.Options.Add(expected);
        return addStock;
    }

    private static Command SetTotalCommand(IAnsiConsole console, OperatorActions.Confirm confirm)
    {
        var coupon = new Argument<long>("coupon") { Description = "The coupon whose total to set." };
        var total = new Argument<int>("total") { Description = "The new total: never below what is issued and in flight." };
        var setTotal = OperatorActions.Action("set-total", "Set a sale's total, up or down (never below issued + in flight: refused, 3).", console, confirm,
            async (admin, p, ct) => $"Set the total of {await OperatorActions.DescribeAsync(admin, p.GetValue(coupon), ct)} to {p.GetValue(total):N0}?",
            async (admin, p, ct) => TotalChanged(await admin.ChangeTotalAsync(p.GetValue(coupon), p.GetValue(total), null, ct)));
        setTotal.Arguments.Add(coupon);
        setTotal.Arguments.Add(total);
        return setTotal;
    }

    private static OperatorActions.Outcome TotalChanged(ApiAnswer<CampaignChanged> answer) =>
        answer.Problem is { } problem
            ? new(ExitCodes.Refused, $"refused: {problem}", Status: (int)answer.Status)
            : OperatorActions.Answered(answer.Value!, r => (ExitCodes.Ok, r.Changed
                ? $"done: coupon {r.Campaign.CouponId}'s total is {Number(r.Campaign.Total)}: {Figure(r.Campaign.Remaining)} on sale, {Number(r.Campaign.Issued)} issued"
                : $"done: coupon {r.Campaign.CouponId}'s total already was {Number(r.Campaign.Total)}"));

    /// <summary>
    /// <c>campaign pause &lt;coupon&gt;|--all [--reason]</c> and <c>campaign resume &lt;coupon&gt;|--all</c>. A resume
    /// that leaves the clicks refused (the sale's own pause lifted while every sale is paused) is not finished (4).
    /// </summary>
    private static (Command Pause, Command Resume) SwitchCommands(IAnsiConsole console, OperatorActions.Confirm confirm)
    {
        var pauseCoupon = new Argument<long?>("coupon") { Description = "The coupon whose sale to pause (or --all).", Arity = ArgumentArity.ZeroOrOne };
        var pauseAll = new Option<bool>("--all") { Description = "Pause every sale (the global switch)." };
        var reason = new Option<string?>("--reason") { Description = "Why, for the on-call and the post-mortem (one line, at most 200 characters)." };
        var pause = OperatorActions.Action("pause",
            "Pause a sale (or every sale): its clicks answer 503 SALE_PAUSED on every instance within a second; accepted requests are still issued.",
            console, confirm,
            async (admin, p, ct) => p.GetValue(pauseAll)
                ? "Pause EVERY sale? Every click answers 503 SALE_PAUSED until the sales are resumed; accepted requests are still issued."
                : $"Pause the sale of {await OperatorActions.DescribeAsync(admin, p.GetValue(pauseCoupon)!.Value, ct)}? Its clicks answer 503 SALE_PAUSED until it is resumed; accepted requests are still issued.",
            async (admin, p, ct) => OperatorActions.Answered(p.GetValue(pauseAll)
                ? await admin.PauseEverySaleAsync(p.GetValue(reason), ct)
                : await admin.PauseSaleAsync(p.GetValue(pauseCoupon)!.Value, p.GetValue(reason), ct), r => (ExitCodes.Ok,
                    $"done: {Scope(r.Pause!.CouponId)} {(r.Changed ? "is paused" : "was already paused")} (by {r.Pause.PausedBy} at {r.Pause.PausedAt:yyyy-MM-dd HH:mm:ss} UTC"
                    + $"{(r.Pause.Reason is null ? "" : $": {r.Pause.Reason}")}); its clicks answer 503 SALE_PAUSED on every instance within a second")));
        pause.Arguments.Add(pauseCoupon);
        pause.Options.Add(pauseAll);
        pause.Options.Add(reason);
        pause.Validators.Add(result => OneScope(result, pauseCoupon, pauseAll));

        var resumeCoupon = new Argument<long?>("coupon") { Description = "The coupon whose sale to resume (or --all).", Arity = ArgumentArity.ZeroOrOne };
        var resumeAll = new Option<bool>("--all") { Description = "Lift the pause of every sale (the global switch; sales paused one by one stay paused)." };
        var resume = OperatorActions.Action("resume", "Resume a paused sale (or lift the pause of every sale).", console, confirm,
            async (admin, p, ct) => p.GetValue(resumeAll)
                ? "Lift the pause of every sale? Clicks are taken again, except on sales paused one by one."
                : $"Resume the sale of {await OperatorActions.DescribeAsync(admin, p.GetValue(resumeCoupon)!.Value, ct)}? Its clicks are taken again.",
            async (admin, p, ct) =>
            {
                var couponId = p.GetValue(resumeAll) ? null : p.GetValue(resumeCoupon);
                var r = couponId is { } id ? await admin.ResumeSaleAsync(id, ct) : await admin.ResumeEverySaleAsync(ct);
                return OperatorActions.Answered(r, _ => r.ClicksRefused
                    ? (ExitCodes.NotFinished, $"not done: {Scope(couponId)}'s own pause {(r.Changed ? "is lifted" : "was not there")}, but every sale is still paused: "
                        + "its clicks answer 503 SALE_PAUSED until couponctl campaign resume --all")
                    : (ExitCodes.Ok, r.Changed ? $"done: {Scope(couponId)} is resumed: clicks are taken again" : $"done: {Scope(couponId)} was not paused"));
            });
        resume.Arguments.Add(resumeCoupon);
        resume.Options.Add(resumeAll);
        resume.Validators.Add(result => OneScope(result, resumeCoupon, resumeAll));
        return (pause, resume);
    }

    private static string Scope(long? couponId) => couponId is { } id ? $"the sale of coupon {id.ToString(CultureInfo.InvariantCulture)}" : "every sale";

    /// <summary>
    /// A coupon or --all, exactly one: a pause of "nothing" or of both is a usage error (2), not a guess.
    /// </summary>
    private static void OneScope(System.CommandLine.Parsing.CommandResult result, Argument<long?> coupon, Option<bool> all)
    {
        var hasCoupon = result.GetResult(coupon) is { Tokens.Count: > 0 };
        if (!ParsedValue.TryRead(() => result.GetValue(all), out var hasAll))
        {
            return;
        }

        if (hasCoupon == hasAll)
        {
            result.AddError($"{result.Command.Name}: give a coupon id or --all, one of the two.");
        }
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
