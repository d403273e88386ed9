using Coupons.Catalog;
using Coupons.Gate;

namespace Coupons.Reconciliation;

/// <summary>The operator's gate actions, on the admin group: open an event, throw a gate away and rebuild it.</summary>
public static class GateApi
{
    /// <summary>
    /// How long open and rebuild-gate wait for the coupon's requests to reach the database before answering 202
    /// (<c>?wait=</c> seconds, up to 120).
    /// </summary>
    public static readonly TimeSpan OpenWait = TimeSpan.FromSeconds(30);

    private const int MaxWaitSeconds = 120;

    public static RouteGroupBuilder MapGateApi(this RouteGroupBuilder admin)
    {
        admin.MapPost("/coupons/{couponId}/open", OpenEvent).Answers(StatusCodes.Status404NotFound, ProblemCodes.CouponNotFound)
            .Answers(StatusCodes.Status400BadRequest, ProblemCodes.InvalidRequest);
        admin.MapPost("/coupons/{couponId}/rebuild-gate", RebuildGate).Answers(StatusCodes.Status404NotFound, ProblemCodes.CouponNotFound)
            .Answers(StatusCodes.Status400BadRequest, ProblemCodes.InvalidRequest);
        return admin;
    }

    /// <summary>
    /// Opens the coupon's gate from the database: 200 with <c>opened</c> true when this call opened it, false when it
    /// was open already; 202 while requests of the coupon are still on their way to the database (after a Redis
    /// restart, a trust reset or a rebuild): the gate stays shut, and the gate keeper opens it once they have landed.
    /// </summary>
    public static async Task<Results<Ok<OpenedEvent>, Accepted<OpenedEvent>, ProblemHttpResult>> OpenEvent(
        long couponId, int? wait, CouponRepository coupons, GateOpening opening, CouponCatalog catalog, CancellationToken ct)
    {
        if (WaitOf(wait) is not { } waitFor)
        {
            return BadWait();
        }

        if (await coupons.FindAsync(couponId, ct) is null)
        {
            return Problems.NoSuchCoupon(couponId);
        }

        var (outcome, state) = await opening.OpenAsync(couponId, waitFor, ct);
        catalog.Forget(couponId);
        return Answer(couponId, outcome, state, opened: outcome == GateOpeningOutcome.Opened);
    }

    /// <summary>
    /// Throws the gate away and rebuilds it from the database. The gate is dropped first, in one step, so no click is
    /// accepted from then on (they hear 503 GATE_NOT_READY); it is rebuilt, by this call or the gate keeper, once what
    /// the coupon accepted before has reached the database. 200 once rebuilt, 202 if that takes longer than
    /// <see cref="OpenWait"/>.
    /// </summary>
    public static async Task<Results<Ok<OpenedEvent>, Accepted<OpenedEvent>, ProblemHttpResult>> RebuildGate(
        long couponId, int? wait, CouponRepository coupons, GateRepair repair, GateOpening opening, CancellationToken ct)
    {
        if (WaitOf(wait) is not { } waitFor)
        {
            return BadWait();
        }

        if (await coupons.FindAsync(couponId, ct) is null)
        {
            return Problems.NoSuchCoupon(couponId);
        }

        await repair.ResetAsync(couponId);
        var (outcome, state) = await opening.OpenAsync(couponId, waitFor, ct);
        return Answer(couponId, outcome, state, opened: state.Open);
    }

    private static TimeSpan? WaitOf(int? seconds) => seconds switch
    {
        null => OpenWait,
        >= 0 and <= MaxWaitSeconds => TimeSpan.FromSeconds(seconds.Value),
        _ => null,
    };

    private static ProblemHttpResult BadWait() =>
        Problems.BadRequest(ProblemCodes.InvalidRequest, $"wait is a number of seconds from 0 to {MaxWaitSeconds}.");

    private static Results<Ok<OpenedEvent>, Accepted<OpenedEvent>, ProblemHttpResult> Answer(long couponId, GateOpeningOutcome outcome, GateState state, bool opened)
    {
        var view = new OpenedEvent(couponId, opened, state.RemainingStock, state.AcceptedRequests);
        return outcome == GateOpeningOutcome.InFlight
            ? TypedResults.Accepted($"/api/admin/coupons/{couponId}/consistency", view)
            : TypedResults.Ok(view);
    }
}
