using System.Globalization;
using Coupons.Catalog;
using Coupons.Gate;

namespace Coupons.Campaigns;

/// <summary>
/// Changing a campaign while it runs: its total (<see cref="CouponTotals"/>: with the gate, under the coupon's row
/// lock, never below issued + in flight), its window (<see cref="CampaignWindow"/>'s rules) and ending it now. Each
/// answers the campaign as it stands after the change; each is audited with what it changed. Other instances honour a
/// new window within a second (their coupon definitions are a second old at most); a new total is the gate's at once.
/// </summary>
public static class CampaignChangesAdminApi
{
    public static RouteGroupBuilder MapCampaignChangesAdminApi(this RouteGroupBuilder admin)
    {
        admin.MapPost("/campaigns/{couponId}/total", ChangeTotal)
            .Answers(StatusCodes.Status400BadRequest, ProblemCodes.InvalidRequest)
            .Answers(StatusCodes.Status404NotFound, ProblemCodes.CouponNotFound)
            .Answers(StatusCodes.Status409Conflict, ProblemCodes.CampaignEnded, ProblemCodes.TotalBelowTaken, ProblemCodes.TotalChanged)
            .Answers(StatusCodes.Status503ServiceUnavailable, ProblemCodes.GateNotReady);
        admin.MapPost("/campaigns/{couponId}/window", MoveWindow)
            .Answers(StatusCodes.Status400BadRequest, ProblemCodes.InvalidRequest)
            .Answers(StatusCodes.Status404NotFound, ProblemCodes.CouponNotFound)
            .Answers(StatusCodes.Status409Conflict, ProblemCodes.CampaignEnded, ProblemCodes.SaleStarted);
        admin.MapPost("/campaigns/{couponId}/end", EndNow).Answers(StatusCodes.Status404NotFound, ProblemCodes.CouponNotFound);
        return admin;
    }

    public static async Task<Results<Ok<CampaignChanged>, ProblemHttpResult>> ChangeTotal(
        long couponId, ChangeTotalRequest request, CouponTotals totals, CampaignBoard board, HttpContext context, CancellationToken ct)
    {
        if (request.Total is not (> 0 and <= CouponTotals.MaxTotal) || request.ExpectedTotal is < 0)
        {
            return Problems.BadRequest(ProblemCodes.InvalidRequest, $"total must be between 1 and {CouponTotals.MaxTotal:N0}; expectedTotal, when given, not negative.");
        }

        var change = await totals.ChangeAsync(couponId, request.Total.Value, request.ExpectedTotal, ct);
        AuditNotes.NoteDetail(context, string.Create(CultureInfo.InvariantCulture, $"total={change.Before}->{request.Total} {change.Outcome}"));
        return change.Outcome switch
        {
            TotalChangeOutcome.NotFound => Problems.NotFound(ProblemCodes.CouponNotFound, $"Coupon {couponId} does not exist."),
            TotalChangeOutcome.Ended => Problems.Conflict(ProblemCodes.CampaignEnded, "The sale has ended: its total is final."),
            TotalChangeOutcome.NotAsExpected => Problems.Conflict(ProblemCodes.TotalChanged,
                $"The total is {change.Before}, not {request.ExpectedTotal}: it changed since it was read. Read it again and decide.",
                new Dictionary<string, object?> { ["total"] = change.Before }),
            TotalChangeOutcome.BelowTaken => Problems.Conflict(ProblemCodes.TotalBelowTaken,
                $"{change.Taken} units are issued or in flight: the total cannot go below that.",
                new Dictionary<string, object?> { ["taken"] = change.Taken, ["total"] = change.Before }),
            TotalChangeOutcome.GateNotReady => Problems.Unavailable(ProblemCodes.GateNotReady,
                "The sale's gate is being rebuilt or not verified: what is in flight cannot be counted now; retry shortly."),
            _ => TypedResults.Ok(new CampaignChanged { Changed = change.Outcome == TotalChangeOutcome.Changed, Campaign = (await board.FindAsync(couponId, ct))! }),
        };
    }

    public static async Task<Results<Ok<CampaignChanged>, ProblemHttpResult>> MoveWindow(
        long couponId, MoveWindowRequest request, CouponRepository coupons, CouponCatalog catalog, CampaignBoard board, HttpContext context,
        TimeProvider clock, CancellationToken ct)
    {
        if (await coupons.FindAsync(couponId, ct) is not { } coupon)
        {
            return Problems.NotFound(ProblemCodes.CouponNotFound, $"Coupon {couponId} does not exist.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var decision = CampaignWindow.Decide(coupon, now, request.StartDate, request.EndDate);
        if (!decision.Allowed)
        {
            return decision.RefusedCode == ProblemCodes.InvalidRequest
                ? Problems.BadRequest(ProblemCodes.InvalidRequest, decision.Refusal!)
                : Problems.Conflict(decision.RefusedCode!, decision.Refusal!);
        }

        AuditNotes.NoteDetail(context, string.Create(CultureInfo.InvariantCulture, $"window={decision.Start:O}..{decision.End:O}"));
        var changed = decision.Start != coupon.StartDate || decision.End != coupon.EndDate;
        if (changed && !await coupons.MoveWindowAsync(couponId, decision.Start, decision.End, now, ct))
        {
            return Problems.Conflict(ProblemCodes.CampaignEnded, "The sale has ended: its window is final.");
        }

        catalog.Forget(couponId); // this instance at once; the others within a second
        return TypedResults.Ok(new CampaignChanged { Changed = changed, Campaign = (await board.FindAsync(couponId, ct))! });
    }

    /// <summary>
    /// Ends the sale now: clicks are refused (409 COUPON_ENDED); requests already accepted are still issued.
    /// </summary>
    public static async Task<Results<Ok<CampaignChanged>, ProblemHttpResult>> EndNow(
        long couponId, CouponRepository coupons, CouponCatalog catalog, CampaignBoard board, TimeProvider clock, CancellationToken ct)
    {
        var ended = await coupons.EndAsync(couponId, clock.GetUtcNow().UtcDateTime, ct);
        catalog.Forget(couponId);
        return await board.FindAsync(couponId, ct) is { } campaign
            ? TypedResults.Ok(new CampaignChanged { Changed = ended, Campaign = campaign })
            : Problems.NotFound(ProblemCodes.CouponNotFound, $"Coupon {couponId} does not exist.");
    }
}
