using System.Text.Json;

namespace Coupons.IntegrationTests.Api;

/// <summary>
/// Issue 23: the server's time and a sale's countdown, for pages that must not count down on the shopper's clock:
/// public, never cached, each figure from one reading of the server's clock.
/// </summary>
[Trait("Category", "Api")]
[Collection(StackCollection.Name)]
public sealed class SaleClockTests(StackFixture stack)
{
    [Fact]
    public async Task A_countdown_says_the_state_and_the_time_left_on_the_servers_clock()
    {
        var now = DateTimeOffset.UtcNow;
        var scheduled = await stack.Api.CreateOpenCouponAsync(10, start: now.AddMinutes(10), end: now.AddMinutes(40), open: false);
        var ended = await stack.Api.CreateOpenCouponAsync(10, start: now.AddHours(-2), end: now.AddHours(-1), open: false);
        var (open, _) = await stack.Api.OpenSaleAsync(stock: 10, people: 1);
        var paused = await stack.Api.CreateOpenCouponAsync(10);
        await stack.Api.Operator.PauseSaleAsync(paused, "countdown test");
        using var anonymous = stack.App.CreateClient(); // no token: a shop's landing page

        var read = await Task.WhenAll(new[] { scheduled, open, paused, ended }.Select(id => CountdownAsync(anonymous, id)));

        Assert.Equal([CampaignStates.Scheduled, CampaignStates.Open, CampaignStates.Paused, CampaignStates.Ended], read.Select(c => c.State));
        var first = read[0];
        Assert.Equal((long)(first.StartDate - first.ServerTime).TotalMilliseconds, first.MillisecondsToStart, 1.0);
        Assert.Equal((long)(first.EndDate - first.ServerTime).TotalMilliseconds, first.MillisecondsToEnd, 1.0);
        Assert.InRange(first.MillisecondsToStart, 1, (long)TimeSpan.FromMinutes(10).TotalMilliseconds);
        Assert.Equal((0L, true), (read[1].MillisecondsToStart, read[1].MillisecondsToEnd > 0));
        Assert.Equal((0L, 0L), (read[3].MillisecondsToStart, read[3].MillisecondsToEnd));
        await stack.Api.Operator.ResumeSaleAsync(paused);
    }

    [Fact]
    public async Task The_servers_time_and_a_countdown_are_never_cached_and_an_unknown_sale_is_404()
    {
        using var anonymous = stack.App.CreateClient();
        using var time = await anonymous.GetAsync("/api/time");
        using var missing = await anonymous.GetAsync("/api/coupons/999999999/countdown");

        Assert.Equal((HttpStatusCode.OK, "no-store"), (time.StatusCode, time.Headers.CacheControl?.ToString()));
        using var body = JsonDocument.Parse(await time.Content.ReadAsStringAsync());
        Assert.EndsWith("Z", body.RootElement.GetProperty("serverTime").GetString(), StringComparison.Ordinal);
        await BadInputTests.AssertProblemAsync(missing, HttpStatusCode.NotFound, "COUPON_NOT_FOUND");
    }

    private static async Task<SaleCountdown> CountdownAsync(HttpClient client, long couponId)
    {
        using var response = await client.GetAsync($"/api/coupons/{couponId}/countdown");
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var typed = await new Coupons.Client.CouponsClient(client).GetCountdownAsync(couponId);
        return typed.Value!;
    }
}
