namespace Coupons.Reconciliation;

public static class ReconciliationApi
{
    /// <summary>
    /// Adds <c>POST coupons/{couponId}/reconcile</c> and the gate actions (<see cref="GateApi"/>) to
    /// <paramref name="admin"/>, the admin group (its key check, audit and limits apply); the composition root hands
    /// the group over, so this feature needs nothing from Admin.
    /// </summary>
    public static RouteGroupBuilder MapReconciliationApi(this RouteGroupBuilder admin)
    {
        admin.MapPost("/coupons/{couponId}/reconcile", Reconcile).Answers(StatusCodes.Status409Conflict, ProblemCodes.NotReconcilable);
        return admin.MapGateApi();
    }

    public static async Task<Results<Ok<ReconcileResult>, ProblemHttpResult>> Reconcile(long couponId, Reconciler reconciler, CancellationToken ct)
    {
        var result = await reconciler.ReconcileAsync(couponId, ct);
        return result.Ran
            ? TypedResults.Ok(result)
            : Problems.Conflict(ProblemCodes.NotReconcilable, $"Cannot reconcile now: {result.SkippedBecause}.");
    }
}
