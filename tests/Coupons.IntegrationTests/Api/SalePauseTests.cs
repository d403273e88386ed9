using Xunit.Abstractions;

namespace Coupons.IntegrationTests.Api;

/// <summary>
/// Issue 23, the kill switch: pausing a sale (or every sale) refuses its clicks with 503 <c>SALE_PAUSED</c> and a
/// Retry-After, on this instance at once and on another within a second, while requests accepted before it are still
/// issued; the pause is a row in the database, so an instance started later honours it from its first click.
/// </summary>
[Trait("Category", "Api")]
[Collection(StackCollection.Name)]
public sealed class SalePauseTests(StackFixture stack, ITestOutputHelper output)
{
    [Fact]
    public async Task A_paused_sale_refuses_clicks_with_its_code_and_retry_after_and_still_issues_what_it_accepted()
    {
        var (coupon, people) = await stack.Api.OpenSaleAsync(stock: 10, people: 3);
        await stack.Api.Operator.SetConsumerPausedAsync(true); // the accepted request is still on its way when the sale pauses
        SaleSwitchResult paused;
        Guid accepted;
        try
        {
            accepted = (await stack.Api.IssueAsync(coupon, people[0])).RequestId!.Value;
            paused = await stack.Api.Operator.PauseSaleAsync(coupon, "redis latency, INC-42");
        }
        finally
        {
            await stack.Api.Operator.SetConsumerPausedAsync(false);
        }

        var refused = await stack.Api.IssueAsync(coupon, people[1]);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "SALE_PAUSED", "5"), (refused.Status, refused.Code, refused.RetryAfter));
        Assert.Equal((true, true, "redis latency, INC-42", coupon), (paused.Changed, paused.ClicksRefused, paused.Pause!.Reason, paused.Pause.CouponId));
        var campaign = await stack.Api.Operator.CampaignAsync(coupon);
        Assert.Equal((CampaignStates.Paused, paused.Pause), (campaign.State, campaign.Pause));

        await stack.Api.WaitForDrainAsync(coupon);
        Assert.Equal("ISSUED", (await stack.Api.GetRequestAsync(coupon, accepted))!.Status);

        var again = await stack.Api.Operator.PauseSaleAsync(coupon, "a second pause");
        Assert.Equal((false, paused.Pause), (again.Changed, again.Pause)); // the first pause stands: when, by whom, why

        var resumed = await stack.Api.Operator.ResumeSaleAsync(coupon);
        Assert.Equal((true, false, (SalePauseView?)null), (resumed.Changed, resumed.ClicksRefused, resumed.Pause));
        var afterResume = await stack.Api.IssueAsync(coupon, people[1]);
        Assert.Equal(HttpStatusCode.Accepted, afterResume.Status);
        Assert.False((await stack.Api.Operator.ResumeSaleAsync(coupon)).Changed);
        await stack.Api.WaitForDrainAsync(coupon);
        await Invariants.AssertHoldAsync(coupon, [accepted, afterResume.RequestId!.Value]);
    }

    [Fact]
    public async Task The_global_switch_pauses_every_sale_and_a_sale_resumed_under_it_stays_refused()
    {
        var (first, people) = await stack.Api.OpenSaleAsync(stock: 10, people: 2);
        var second = await stack.Api.CreateOpenCouponAsync(10);
        var scheduled = await stack.Api.CreateOpenCouponAsync(10, start: DateTimeOffset.UtcNow.AddHours(1), open: false);
        try
        {
            var everySale = await stack.Api.Operator.PauseEverySaleAsync("database failover");
            Assert.Equal(((long?)null, true), (everySale.Pause!.CouponId, everySale.ClicksRefused));

            foreach (var coupon in new[] { first, second })
            {
                var refused = await stack.Api.IssueAsync(coupon, people[0]);
                Assert.Equal((HttpStatusCode.ServiceUnavailable, "SALE_PAUSED"), (refused.Status, refused.Code));
            }

            // Outside its window a click hears what it always did.
            var early = await stack.Api.IssueAsync(scheduled, people[0]);
            Assert.Equal((HttpStatusCode.Conflict, "COUPON_NOT_OPEN"), (early.Status, early.Code));
            var read = await Task.WhenAll(new[] { first, scheduled }.Select(c => stack.Api.Operator.CampaignAsync(c)));
            Assert.Equal([CampaignStates.Paused, CampaignStates.Scheduled], read.Select(c => c.State));
            Assert.All(read, c => Assert.Equal("database failover", c.Pause?.Reason));
            Assert.Contains(await stack.Api.Operator.SalePausesAsync(), p => p.CouponId is null);

            var oneResumed = await stack.Api.Operator.ResumeSaleAsync(first);
            Assert.Equal((false, true), (oneResumed.Changed, oneResumed.ClicksRefused));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await stack.Api.IssueAsync(first, people[0])).Status);
        }
        finally
        {
            await stack.Api.Operator.ResumeEverySaleAsync();
        }

        Assert.Equal(HttpStatusCode.Accepted, (await stack.Api.IssueAsync(first, people[0])).Status);
        Assert.DoesNotContain(await stack.Api.Operator.SalePausesAsync(), p => p.CouponId is null);
        await stack.Api.WaitForDrainAsync(first);
    }

    [Fact]
    public async Task Another_instance_honours_a_pause_and_a_resume_and_one_started_later_honours_it_from_its_first_click()
    {
        var (coupon, people) = await stack.Api.OpenSaleAsync(stock: 10, people: 2);
        await using var other = new CouponApiFactory();
        using var otherClient = other.CreateClient();
        await ApiDriver.WaitUntilReadyAsync(otherClient);
        // A holder's click is side-effect free: 409 ALREADY_REQUESTED while on sale, 503 SALE_PAUSED while paused.
        Assert.Equal(HttpStatusCode.Accepted, (await stack.Api.IssueAsync(coupon, people[0])).Status);
        async Task<string?> CodeThereAsync() => (await ApiDriver.IssueAsync(otherClient, coupon, people[0])).Code;
        Assert.Equal("ALREADY_REQUESTED", await CodeThereAsync());

        var pausedAt = DateTime.UtcNow;
        await stack.Api.Operator.PauseSaleAsync(coupon, "drill");
        await Eventually.MatchesAsync(CodeThereAsync, code => code == "SALE_PAUSED", TimeSpan.FromSeconds(15), "the other instance never honoured the pause");
        output.WriteLine($"pause honoured by the other instance after {(DateTime.UtcNow - pausedAt).TotalMilliseconds:F0} ms (a measurement, not a limit)");

        await using (var later = new CouponApiFactory())
        {
            using var laterClient = later.CreateClient();
            var first = await ApiDriver.IssueAsync(laterClient, coupon, people[1]); // its very first request
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "SALE_PAUSED"), (first.Status, first.Code));
        }

        await stack.Api.Operator.ResumeSaleAsync(coupon);
        await Eventually.MatchesAsync(CodeThereAsync, code => code == "ALREADY_REQUESTED", TimeSpan.FromSeconds(15), "the other instance never honoured the resume");
        Assert.Empty(other.ServerErrors.Errors);
    }

    /// <summary>
    /// Hostile review (issue 23): a pause put "retry later" (503) ahead of a final answer; a sale the database shows
    /// sold out answers 409 SOLD_OUT while paused, so nobody retries every 5 s for nothing.
    /// </summary>
    [Fact]
    public async Task A_paused_sale_the_database_shows_sold_out_answers_sold_out()
    {
        var (coupon, people) = await stack.Api.OpenSaleAsync(stock: 1, people: 2);
        Assert.Equal(HttpStatusCode.Accepted, (await stack.Api.IssueAsync(coupon, people[0])).Status);
        await stack.Api.WaitForDrainAsync(coupon);
        await stack.Api.Operator.PauseSaleAsync(coupon, "drill");
        try
        {
            // The definition this instance reads is a second old at most: until it shows the unit issued, 503.
            var late = await Eventually.MatchesAsync(() => stack.Api.IssueAsync(coupon, people[1]), a => a.Code != "SALE_PAUSED",
                TimeSpan.FromSeconds(10), "a sold-out sale kept answering SALE_PAUSED");
            Assert.Equal((HttpStatusCode.Conflict, "SOLD_OUT"), (late.Status, late.Code));
        }
        finally
        {
            await stack.Api.Operator.ResumeSaleAsync(coupon);
        }
    }

    [Fact]
    public async Task A_pause_of_a_coupon_that_does_not_exist_or_with_a_bad_reason_is_refused_with_its_code()
    {
        var coupon = await stack.Api.CreateOpenCouponAsync(10);
        using var missing = await stack.Api.Admin.PostAsync("/api/admin/campaigns/999999999/pause", null);
        using var tooLong = await stack.Api.Admin.PostAsJsonAsync($"/api/admin/campaigns/{coupon}/pause", new { reason = new string('x', 201) });
        using var control = await stack.Api.Admin.PostAsJsonAsync("/api/admin/sales/pause", new { reason = "line one\nline two" });
        using var notJson = await stack.Api.Admin.PostAsync($"/api/admin/campaigns/{coupon}/pause", new StringContent("{", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal((HttpStatusCode.NotFound, "COUPON_NOT_FOUND"), (missing.StatusCode, await CodeAsync(missing)));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), (tooLong.StatusCode, await CodeAsync(tooLong)));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), (control.StatusCode, await CodeAsync(control)));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REQUEST"), (notJson.StatusCode, await CodeAsync(notJson)));
        Assert.DoesNotContain(await stack.Api.Operator.SalePausesAsync(), p => p.CouponId is null || p.CouponId == coupon); // none took
    }

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await Coupons.Client.ApiProblem.ReadAsync(response, default)).Code;
}
