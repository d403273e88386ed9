using Coupons.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coupons.Reconciliation;

public static class ReconciliationApi
{
    /// <summary>
    /// Adds <c>POST coupons/{couponId}/reconcile</c> to <paramref name="admin"/>, the admin group (its key check, audit and
    /// limits apply); the composition root hands the group over, so this feature needs nothing from Admin.
    /// </summary>
    public static RouteGroupBuilder MapReconciliationApi(this RouteGroupBuilder admin)
    {
        admin.MapPost("/coupons/{couponId}/reconcile", Reconcile);
        return admin;
    }

    public static async Task<Results<Ok<ReconcileResult>, ProblemHttpResult>> Reconcile(string couponId, Reconciler reconciler, CancellationToken ct)
    {
        if (!Ids.TryParseCouponId(couponId, out var id))
        {
            return Problems.BadRequest(ProblemCodes.InvalidCouponId, "couponId must be a positive 64-bit integer.");
        }

        var result = await reconciler.ReconcileAsync(id, ct);
        return result.Ran
            ? TypedResults.Ok(result)
            : Problems.Conflict(ProblemCodes.NotReconcilable, $"Cannot reconcile now: {result.SkippedBecause}.");
    }
}
