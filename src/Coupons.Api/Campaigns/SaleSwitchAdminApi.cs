using System.Buffers;
using System.Globalization;
using System.Text;
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
            return Problems.NoSuchCoupon(couponId);
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
        long couponId, CouponRepository coupons, SalePauseStore store, SaleSwitchboard switchboard, HttpContext context, CancellationToken ct) =>
        await coupons.FindAsync(couponId, ct) is null
            ? Problems.NoSuchCoupon(couponId)
            : TypedResults.Ok(await ResumeAsync(couponId, store, switchboard, context, ct));

    public static async Task<Ok<SaleSwitchResult>> ResumeEverySale(SalePauseStore store, SaleSwitchboard switchboard, HttpContext context, CancellationToken ct) =>
        TypedResults.Ok(await ResumeAsync(SalePause.EverySale, store, switchboard, context, ct));

    /// <summary>The pauses in force, from the database (every instance follows it within a second).</summary>
    public static async Task<Ok<IReadOnlyList<SalePauseView>>> ListPauses(SalePauseStore store, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<SalePauseView>>([.. (await store.ListAsync(ct)).Select(CampaignBoard.ViewOf)]);

    private static async Task<SaleSwitchResult> PauseAsync(
        long couponId, string? reason, SalePauseStore store, SaleSwitchboard switchboard, HttpContext context, TimeProvider clock, CancellationToken ct)
    {
        // The reason goes to the audit too: the pause's row is gone once it is resumed, the audit stays.
        AuditNotes.NoteDetail(context, $"reason={reason?.Trim()}");
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

    private static async Task<SaleSwitchResult> ResumeAsync(
        long couponId, SalePauseStore store, SaleSwitchboard switchboard, HttpContext context, CancellationToken ct)
    {
        var (lifted, stillPaused) = await store.ResumeAsync(couponId, ct);
        if (lifted is not null)
        {
            AuditNotes.NoteDetail(context, string.Create(CultureInfo.InvariantCulture, $"lifted the pause of {lifted.PausedAt:O} by {lifted.PausedBy}"));
        }

        await HonourHereAsync(switchboard);
        return new SaleSwitchResult { Changed = lifted is not null, ClicksRefused = stillPaused };
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
    /// A reason is shown in operators' terminals and kept in the database and the audit: one line of visible text (no
    /// control, format, separator, private-use or unpaired surrogate characters: a bidi override or a zero-width space
    /// would make a terminal show something else), at most <see cref="MaxReasonLength"/> characters as the column
    /// counts them (code points).
    /// </summary>
    internal static string? InvalidReason(string? reason)
    {
        if (reason is null)
        {
            return null;
        }

        var characters = 0;
        for (var i = 0; i < reason.Length; characters++)
        {
            if (Rune.DecodeFromUtf16(reason.AsSpan(i), out var rune, out var used) != OperationStatus.Done
                || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                    or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate)
            {
                return "reason is one line of visible text: no control, format or separator characters.";
            }

            i += used;
        }

        return characters > MaxReasonLength ? $"reason is at most {MaxReasonLength} characters." : null;
    }
}
