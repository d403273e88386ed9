namespace Coupons.Campaigns;

public static class CampaignsAdminApi
{
    /// <summary>
    /// Adds <c>GET campaigns</c> (newest first, <c>?max=</c> up to <see cref="CampaignBoard.MaxListed"/>) and
    /// <c>GET campaigns/{couponId}</c> to <paramref name="admin"/>, the admin group (a read key is enough).
    /// </summary>
    public static RouteGroupBuilder MapCampaignsAdminApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/campaigns", ListCampaigns).Answers(StatusCodes.Status400BadRequest, ProblemCodes.InvalidRequest); // ?max= not a number
        admin.MapGet("/campaigns/{couponId}", ReadCampaign).Answers(StatusCodes.Status404NotFound, ProblemCodes.CouponNotFound);
        return admin.MapSaleSwitchAdminApi().MapCampaignChangesAdminApi();
    }

    public static async Task<Ok<IReadOnlyList<CampaignView>>> ListCampaigns(CampaignBoard board, int? max, CancellationToken ct) =>
        TypedResults.Ok(await board.ListAsync(max ?? 50, ct));

    public static async Task<Results<Ok<CampaignView>, ProblemHttpResult>> ReadCampaign(long couponId, CampaignBoard board, CancellationToken ct) =>
        await board.FindAsync(couponId, ct) is { } campaign
            ? TypedResults.Ok(campaign)
            : Problems.NoSuchCoupon(couponId);
}
