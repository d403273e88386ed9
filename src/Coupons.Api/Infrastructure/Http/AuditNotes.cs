namespace Coupons.Infrastructure.Http;

/// <summary>
/// What an admin endpoint tells the audit about the call it answered, beside what the route says: the admin audit
/// (Coupons.Admin) reads them once the call is answered. Here, below every feature, so a feature mapping its own admin
/// endpoints needs nothing from Admin.
/// </summary>
public static class AuditNotes
{
    private const string CouponItem = "coupons:audit-coupon";

    private const string DetailItem = "coupons:audit-detail";

    /// <summary>
    /// For an action whose coupon is not in its route (creating one): names the coupon for the audit row.
    /// </summary>
    public static void NoteCoupon(HttpContext context, long couponId) => context.Items[CouponItem] = couponId;

    /// <summary>
    /// What the action acted on besides a coupon, as the endpoint parsed it (a replay's partition and offset), for the
    /// audit row.
    /// </summary>
    public static void NoteDetail(HttpContext context, string detail) => context.Items[DetailItem] = detail;

    public static string? DetailOf(HttpContext context) => context.Items.TryGetValue(DetailItem, out var noted) ? noted as string : null;

    public static long? CouponOf(HttpContext context) =>
        context.Items.TryGetValue(CouponItem, out var noted) && noted is long id ? id
        : Ids.TryParseCouponId(context.Request.RouteValues["couponId"] as string, out var routed) ? routed
        : null;
}
