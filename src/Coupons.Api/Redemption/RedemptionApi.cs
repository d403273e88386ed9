using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Coupons.Auth;
using Coupons.Catalog;
using Coupons.Infrastructure.Edge;
using Coupons.Users;

namespace Coupons.Redemption;

/// <summary>
/// The order service's side (SPEC I8): use a coupon at checkout and give it back when the order is cancelled. Called
/// with the order service's token (<see cref="RedeemerFilter"/>: never a shopper's, never anonymous) for the holder the
/// path names; the order id is the idempotency key, so a retried call, on any instance, answers what the first one
/// did.
/// </summary>
public static partial class RedemptionApi
{
    public static IEndpointRouteBuilder MapRedemptionApi(this IEndpointRouteBuilder routes)
    {
        // Per client address with an allowance of their own (the order service's few addresses carry every checkout;
        // before any token is checked); a bulkhead of their own after it.
        var group = routes.MapGroup("/api/coupons/{couponId}").WithTags("Redemption").WithMetadata(ClientLimit.Checkout)
            .RequireRedeemer()
            .RequireRateLimiting(RedemptionServices.Bulkhead)
            .Answers(StatusCodes.Status400BadRequest, ProblemCodes.InvalidRequest)
            .Answers(StatusCodes.Status404NotFound, ProblemCodes.UserNotFound, ProblemCodes.CouponNotHeld);
        group.MapPost("/use/{publicId}", UseAsync).WithName("UseCoupon")
            .Answers(StatusCodes.Status409Conflict, ProblemCodes.CouponAlreadyUsed, ProblemCodes.CouponExpired, ProblemCodes.OrderChanged, ProblemCodes.OrderCancelled)
            .Answers(StatusCodes.Status422UnprocessableEntity, ProblemCodes.OrderBelowMinimum);
        group.MapPost("/restore/{publicId}", RestoreAsync).WithName("RestoreCoupon")
            .Answers(StatusCodes.Status409Conflict, ProblemCodes.CouponExpired, ProblemCodes.NotUsedByOrder);
        return routes;
    }

    public static async Task<Results<Ok<RedemptionView>, ProblemHttpResult>> UseAsync(
        long couponId, string publicId, UseCouponRequest request, UserDirectory users, RedemptionStore store, RedemptionMetrics metrics, CancellationToken ct)
    {
        if (OrderIdProblem(request.OrderId) is { } invalid)
        {
            return invalid;
        }

        if (request.OrderAmount is not { } amount || amount <= 0 || !Money.IsAmount(amount))
        {
            return Problems.BadRequest(ProblemCodes.InvalidRequest, $"orderAmount is required: more than 0, at most {Money.Max:N0}, at most two decimals.");
        }

        if (await users.FindIdAsync(publicId, ct) is not { } userId)
        {
            return Problems.NotFound(ProblemCodes.UserNotFound, "No user has this publicId.");
        }

        var result = await store.UseAsync(couponId, userId, publicId, request.OrderId!, amount, ct);
        metrics.Count("use", result.Outcome);
        return Answer(result, couponId, publicId);
    }

    public static async Task<Results<Ok<RedemptionView>, ProblemHttpResult>> RestoreAsync(
        long couponId, string publicId, RestoreCouponRequest request, UserDirectory users, RedemptionStore store, RedemptionMetrics metrics, CancellationToken ct)
    {
        if (OrderIdProblem(request.OrderId) is { } invalid)
        {
            return invalid;
        }

        if (await users.FindIdAsync(publicId, ct) is not { } userId)
        {
            return Problems.NotFound(ProblemCodes.UserNotFound, "No user has this publicId.");
        }

        var result = await store.RestoreAsync(couponId, userId, publicId, request.OrderId!, ct);
        metrics.Count("restore", result.Outcome);
        return Answer(result, couponId, publicId);
    }

    private static Results<Ok<RedemptionView>, ProblemHttpResult> Answer(RedemptionResult result, long couponId, string publicId) => result.Outcome switch
    {
        RedemptionOutcome.Done or RedemptionOutcome.Replayed => TypedResults.Ok(View(result.Record!, publicId, result.Outcome == RedemptionOutcome.Replayed)),
        RedemptionOutcome.NotHeld => Problems.NotFound(ProblemCodes.CouponNotHeld, $"This user holds no coupon {couponId}."),
        RedemptionOutcome.UsedByAnotherOrder => Problems.Conflict(ProblemCodes.CouponAlreadyUsed, "Another order uses this coupon."),
        RedemptionOutcome.OrderChanged => Problems.Conflict(ProblemCodes.OrderChanged,
            "This order used the coupon with another amount: an order id names one order. Restore it first to use it again."),
        RedemptionOutcome.OrderCancelled => Problems.Conflict(ProblemCodes.OrderCancelled, "This order's use of the coupon was restored (the order was cancelled)."),
        RedemptionOutcome.BelowMinimum => Problems.Create(StatusCodes.Status422UnprocessableEntity, ProblemCodes.OrderBelowMinimum, "Order below the minimum",
            "The order is below this coupon's minimum order amount."),
        RedemptionOutcome.Expired => Problems.Conflict(ProblemCodes.CouponExpired, "The coupon's validity has ended."),
        _ => Problems.Conflict(ProblemCodes.NotUsedByOrder, "This order does not use this coupon: nothing to restore."),
    };

    private static RedemptionView View(RedemptionRecord r, string publicId, bool replayed) => new(
        r.CouponId, r.UserCouponId, publicId, r.OrderId, r.OrderAmount, r.Discount, r.RestoredAt is null ? "USED" : "RESTORED",
        AsUtc(r.UsedAt), r.RestoredAt is { } restored ? AsUtc(restored) : null, replayed);

    private static DateTimeOffset AsUtc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    /// <summary>An order id: 1-64 characters of letters, digits and <c>. _ : -</c> (what order systems use; nothing
    /// to escape anywhere it is shown).</summary>
    private static ProblemHttpResult? OrderIdProblem(string? orderId) =>
        orderId is not null && OrderIdPattern().IsMatch(orderId) ? null
            : Problems.BadRequest(ProblemCodes.InvalidRequest, "orderId is required: 1-64 characters, letters, digits and . _ : -");

    [GeneratedRegex(@"^[A-Za-z0-9._:\-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex OrderIdPattern();
}

/// <summary>Uses and restores by outcome: <c>coupons_redemptions_total{call, outcome}</c>.</summary>
public sealed class RedemptionMetrics(Ops.CouponMetrics metrics)
{
    private readonly Counter<long> _calls = metrics.Counter("coupons.redemptions", description: "Uses and restores of coupons by call (use, restore) and outcome.");

    public void Count(string call, RedemptionOutcome outcome) =>
        _calls.Add(1, new KeyValuePair<string, object?>("call", call), new KeyValuePair<string, object?>("outcome", outcome.ToString().ToLowerInvariant()));
}
