using System.Text.Json;

namespace Coupons.IntegrationTests.Api;

/// <summary>
/// Issue 23, first slice: the campaigns as their managers see them, against the real stack: each state from the window
/// and the gate, the database's issued count and the gate's stock, and what is not known said rather than guessed.
/// </summary>
[Trait("Category", "Api")]
[Collection(StackCollection.Name)]
public sealed class CampaignsTests(StackFixture stack)
{
    [Fact]
    public async Task Each_campaign_says_its_state_and_figures_from_the_window_the_gate_and_the_database()
    {
        var now = DateTimeOffset.UtcNow;
        var scheduled = await stack.Api.CreateOpenCouponAsync(10, start: now.AddHours(1), open: false);
        var ended = await stack.Api.CreateOpenCouponAsync(10, start: now.AddHours(-2), end: now.AddHours(-1), open: false);
        var (soldOut, buyers) = await stack.Api.OpenSaleAsync(stock: 2, people: 2);
        var (open, clickers) = await stack.Api.OpenSaleAsync(stock: 5, people: 1);
        foreach (var (coupon, user) in buyers.Select(b => (soldOut, b)).Append((open, clickers[0])))
        {
            Assert.Equal(HttpStatusCode.Accepted, (await stack.Api.IssueAsync(coupon, user)).Status);
        }

        await stack.Api.WaitForDrainAsync(soldOut);
        await stack.Api.WaitForDrainAsync(open);

        var read = await Task.WhenAll(new[] { scheduled, ended, soldOut, open }.Select(id => stack.Api.Operator.CampaignAsync(id)));
        Assert.Equal([CampaignStates.Scheduled, CampaignStates.Ended, CampaignStates.SoldOut, CampaignStates.Open], read.Select(c => c.State));
        Assert.Equal((2, 0L, 0L), (read[2].Issued, read[2].Remaining!.Value, read[2].InFlight!.Value));
        Assert.Equal((1, 4L, 0L), (read[3].Issued, read[3].Remaining!.Value, read[3].InFlight!.Value));
        foreach (var shut in read[..2])
        {
            // No gate to read: no figure, and the reason instead.
            Assert.Equal((0, (long?)null, (long?)null), (shut.Issued, shut.Remaining, shut.InFlight));
            Assert.False(string.IsNullOrEmpty(shut.Unread));
        }

        var listed = await stack.Api.Operator.CampaignsAsync(200);
        var mine = listed.Where(c => c.CouponId == scheduled || c.CouponId == ended || c.CouponId == soldOut || c.CouponId == open).ToList();
        Assert.Equal(read.Select(c => (c.CouponId, c.State)).OrderByDescending(c => c.CouponId), mine.Select(c => (c.CouponId, c.State)));
        Assert.Equal(listed.OrderByDescending(c => c.CouponId).Select(c => c.CouponId), listed.Select(c => c.CouponId)); // newest first
    }

    [Fact]
    public async Task A_campaign_that_does_not_exist_is_404_and_a_malformed_id_400_each_with_its_code()
    {
        using var missing = await stack.Api.Admin.GetAsync("/api/admin/campaigns/999999999");
        using var malformed = await stack.Api.Admin.GetAsync("/api/admin/campaigns/eleven");
        using var tooMany = await stack.Api.Admin.GetAsync("/api/admin/campaigns?max=100000");

        Assert.Equal((HttpStatusCode.NotFound, "COUPON_NOT_FOUND"), (missing.StatusCode, await ProblemCodeAsync(missing)));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_COUPON_ID"), (malformed.StatusCode, await ProblemCodeAsync(malformed)));
        Assert.Equal(HttpStatusCode.OK, tooMany.StatusCode); // clamped to the most a page lists
        using var first = JsonDocument.Parse(await tooMany.Content.ReadAsStringAsync());
        Assert.EndsWith("Z", first.RootElement[0].GetProperty("startDate").GetString(), StringComparison.Ordinal); // UTC, said so
        Assert.InRange(first.RootElement.GetArrayLength(), 1, 200);
    }

    private static async Task<string?> ProblemCodeAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
    }
}
