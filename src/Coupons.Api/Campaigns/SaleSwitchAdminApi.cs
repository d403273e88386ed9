using Coupons.Catalog;
using Coupons.Pauses;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Coupons.Campaigns;

/// <summary>
/// The kill switch (the guide's "turn the API off" for a sick service), per sale and for every sale: pausing stops
/// clicks with 503 <c>SALE_PAUSED</c> on every instance within a second and touches nothing else (requests already
/// accepted are still issued; the gate, the consumer and reconciliation go on). Both directions are idempotent and
/// audited like every admin call.
/// </summary>
public static class SaleSwitchAdminApi
{
    public const int MaxReasonLength = 200; // sale_pauses.reason

    public static RouteGroupBuilder MapSaleSwitchAdminApi(this RouteGroupBuilder admin)
    {
        admin.MapPost("/campaigns/{couponId}/pause", PauseSale).Answers(StatusCodes.Status404NotFound, ProblemCodes.CouponNotFound)
            .Answers(StatusCodes.Status400BadRequest, ProblemCodes.InvalidRequest);
        admin.MapPost("/campaigns/{couponId}/resume", ResumeSale).Answers(StatusCodes.Status404NotFound, ProblemCodes.CouponNotFound);
        admin.MapPost("/sales/pause", PauseEverySale).Answers(StatusCodes.Status400BadRequest, ProblemCodes.InvalidRequest);
        admin.MapPost("/sales/resume", ResumeEverySale);
        admin.MapGet("/sales/pauses", ListPauses);
        return admin;
    }

    public static async Task<Results<Ok<SaleSwitchResult>, ProblemHttpResult>> PauseSale(
        long couponId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] PauseSaleRequest? request, CouponRepository coupons,
        SalePauseStore store, SaleSwitchboard switchboard, HttpContext context, TimeProvider clock, CancellationToken ct)
    {
        if (InvalidReason(request?.Reason) is { } error)
        {
            return Problems.BadRequest(ProblemCodes.InvalidRequest, error);
        }

        if (await coupons.FindAsync(couponId, ct) is null)
        {
            return Problems.NotFound(ProblemCodes.CouponNotFound, $"Coupon {couponId} does not exist.");
        }

        return TypedResults.Ok(await PauseAsync(couponId, request?.Reason, store, switchboard, context, clock, ct));
    }

    public static async Task<Results<Ok<SaleSwitchResult>, ProblemHttpResult>> PauseEverySale(
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] PauseSaleRequest? request, SalePauseStore store, SaleSwitchboard switchboard,
        HttpContext context, TimeProvider clock, CancellationToken ct) =>
        InvalidReason(request?.Reason) is { } error
            ? Problems.BadRequest(ProblemCodes.InvalidRequest, error)
            : TypedResults.Ok(await PauseAsync(SalePause.EverySale, request?.Reason, store, switchboard, context, clock, ct));

    public static async Task<Results<Ok<SaleSwitchResult>, ProblemHttpResult>> ResumeSale(
        long couponId, CouponRepository coupons, SalePauseStore store, SaleSwitchboard switchboard, CancellationToken ct) =>
        await coupons.FindAsync(couponId, ct) is null
            ? Problems.NotFound(ProblemCodes.CouponNotFound, $"Coupon {couponId} does not exist.")
            : TypedResults.Ok(await ResumeAsync(couponId, store, switchboard, ct));

    public static async Task<Ok<SaleSwitchResult>> ResumeEverySale(SalePauseStore store, SaleSwitchboard switchboard, CancellationToken ct) =>
        TypedResults.Ok(await ResumeAsync(SalePause.EverySale, store, switchboard, ct));

    /// <summary>The pauses in force, from the database (every instance follows it within a second).</summary>
    public static async Task<Ok<IReadOnlyList<SalePauseView>>> ListPauses(SalePauseStore store, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<SalePauseView>>([.. (await store.ListAsync(ct)).Select(CampaignBoard.ViewOf)]);

    private static async Task<SaleSwitchResult> PauseAsync(
        long couponId, string? reason, SalePauseStore store, SaleSwitchboard switchboard, HttpContext context, TimeProvider clock, CancellationToken ct)
    {
        var (inForce, changed) = await store.PauseAsync(new SalePause
        {
            CouponId = couponId,
            PausedAt = clock.GetUtcNow().UtcDateTime,
            PausedBy = context.User.Identity?.Name ?? "?",
            Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(),
        }, ct);
        await HonourHereAsync(switchboard);
        return new SaleSwitchResult { Changed = changed, Pause = CampaignBoard.ViewOf(inForce), ClicksRefused = true };
    }

    private static async Task<SaleSwitchResult> ResumeAsync(long couponId, SalePauseStore store, SaleSwitchboard switchboard, CancellationToken ct)
    {
        var (changed, stillPaused) = await store.ResumeAsync(couponId, ct);
        await HonourHereAsync(switchboard);
        return new SaleSwitchResult { Changed = changed, ClicksRefused = stillPaused };
    }

    /// <summary>
    /// This instance at once, the others within a second. The change is committed by now: when this read fails, the
    /// answer still says what was done (hostile review, issue 23: a committed pause answered 503), and this instance's
    /// loop reads it at its next round, as the others do.
    /// </summary>
    private static async Task HonourHereAsync(SaleSwitchboard switchboard)
    {
        try
        {
            await switchboard.RefreshAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException)
        {
        }
    }

    /// <summary>
    /// A reason is shown to operators in a terminal and kept in the audit: plain text of a bounded length.
    /// </summary>
    internal static string? InvalidReason(string? reason) =>
        reason is null ? null
        : reason.Length > MaxReasonLength ? $"reason is at most {MaxReasonLength} characters."
        : reason.Any(char.IsControl) ? "reason is one line of text without control characters."
        : null;
}
