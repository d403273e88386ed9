namespace Coupons.IntegrationTests.Faults;

/// <summary>
/// Issue 23: with Redis unreachable a campaign in its window says UNAVAILABLE, with no figure from the gate and the
/// reason, and the admin read still answers (hostile review: it said OPEN, "clicks are taken", while every click heard
/// 503); once Redis answers it is OPEN again with its figures.
/// </summary>
[Trait("Category", "Faults")]
[Collection(FaultCollection.Name)]
public sealed class CampaignUnreadTests
{
    [Fact]
    public async Task A_sale_whose_gate_cannot_be_read_is_unavailable_with_the_reason_never_a_figure()
    {
        await using var proxy = FaultProxy.ForRedis();
        await using var app = new CouponApiFactory(new Dictionary<string, string?> { ["ConnectionStrings:redis"] = proxy.Endpoint });
        var api = new ApiDriver(app.CreateClient(), app.CreateAdminClient());
        await ApiDriver.WaitUntilReadyAsync(api.Client);
        var (couponId, users) = await api.OpenSaleAsync(5, 1);
        Assert.Equal(HttpStatusCode.Accepted, (await api.IssueAsync(couponId, users[0])).Status);

        proxy.SetMode(ProxyMode.Reset);
        var click = await api.IssueAsync(couponId, users[0]);
        var unread = await api.Operator.CampaignAsync(couponId);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, click.Status); // what the campaign must not call OPEN
        Assert.Equal((CampaignStates.Unavailable, (long?)null, (long?)null), (unread.State, unread.Remaining, unread.InFlight));
        Assert.Contains("could not be read", unread.Unread, StringComparison.Ordinal);

        proxy.SetMode(ProxyMode.Pass);
        var back = await Eventually.MatchesAsync(() => api.Operator.CampaignAsync(couponId), c => c.State == CampaignStates.Open,
            TimeSpan.FromSeconds(30), "the campaign never read OPEN again after Redis came back");
        Assert.Equal((4L, (string?)null), (back.Remaining!.Value, back.Unread));
    }
}
