using Coupons.Catalog;
using Coupons.Infrastructure.Edge;
using Coupons.Pauses;

namespace Coupons.Campaigns;

/// <summary>
/// The server's time and a sale's countdown for shoppers' pages (issue 23): a client counting down on its own clock
/// opens the sale early or late by however wrong that clock is, and clicks early on a 409 or late on a sold-out sale.
/// Public, like the issuable list: no token, the per-client read limit, never cached by a proxy. Served from the
/// coupon definitions every click uses (a second old at most) and this instance's view of the pauses: no query per
/// call.
/// </summary>
public static class SaleClockApi
{
    public static IEndpointRouteBuilder MapSaleClockApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/time", ServerTime).WithTags("Catalog").WithName("GetServerTime").WithMetadata(ClientLimit.Read);
        routes.MapGet("/api/coupons/{couponId}/countdown", Countdown).WithTags("Catalog").WithName("GetSaleCountdown").WithMetadata(ClientLimit.Read)
            .Answers(StatusCodes.Status404NotFound, ProblemCodes.CouponNotFound);
        return routes;
    }

    public static Ok<ServerTimeView> ServerTime(TimeProvider clock, HttpContext context)
    {
        NoStore(context);
        return TypedResults.Ok(new ServerTimeView { ServerTime = clock.GetUtcNow().UtcDateTime });
    }

    public static async Task<Results<Ok<SaleCountdown>, ProblemHttpResult>> Countdown(
        long couponId, CouponCatalog catalog, SaleSwitchboard switchboard, TimeProvider clock, HttpContext context, CancellationToken ct)
    {
        NoStore(context);
        if (await catalog.FindAsync(couponId, ct) is not { } coupon)
        {
            return Problems.NoSuchCoupon(couponId);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var start = DateTime.SpecifyKind(coupon.StartDate, DateTimeKind.Utc);
        var end = DateTime.SpecifyKind(coupon.EndDate, DateTimeKind.Utc);
        var paused = await switchboard.PauseForAsync(couponId, ct) is not null;
        return TypedResults.Ok(new SaleCountdown
        {
            CouponId = couponId,
            State = now < start ? CampaignStates.Scheduled : now >= end ? CampaignStates.Ended : paused ? CampaignStates.Paused : CampaignStates.Open,
            ServerTime = now,
            StartDate = start,
            EndDate = end,
            MillisecondsToStart = Math.Max(0, (long)(start - now).TotalMilliseconds),
            MillisecondsToEnd = Math.Max(0, (long)(end - now).TotalMilliseconds),
        });
    }

    private static void NoStore(HttpContext context) => context.Response.Headers.CacheControl = "no-store";
}
