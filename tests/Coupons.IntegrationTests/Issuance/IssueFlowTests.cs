using Coupons.UserCoupons;

namespace Coupons.IntegrationTests.Issuance;

[Trait("Category", "Issuance")]
[Collection(StackCollection.Name)]
public sealed class IssueFlowTests(StackFixture stack)
{
    [Fact]
    public async Task A_click_is_accepted_then_issued_and_a_second_click_is_already_requested()
    {
        var (couponId, user) = await stack.Api.OpenSaleForOneAsync(10);

        var first = await stack.Api.IssueAsync(couponId, user);
        var second = await stack.Api.IssueAsync(couponId, user);

        Assert.Equal(HttpStatusCode.Accepted, first.Status);
        Assert.NotNull(first.RequestId);
        Assert.Equal(HttpStatusCode.Conflict, second.Status);
        Assert.Equal("ALREADY_REQUESTED", second.Code);
        Assert.Equal(first.RequestId, second.RequestId);

        await stack.Api.WaitForDrainAsync(couponId);
        var status = await stack.Api.GetRequestAsync(couponId, first.RequestId!.Value);
        Assert.Equal("ISSUED", status!.Status);

        var coupons = await stack.Api.Client.GetFromJsonAsync<List<UserCouponView>>($"/api/coupons/user/{user}");
        var issued = Assert.Single(coupons!);
        Assert.Equal(couponId, issued.CouponId);
        Assert.Equal("UNUSED", issued.Status);
        Assert.Equal(first.RequestId.ToString(), issued.RequestId);
        Assert.True(issued.ExpiresAt > issued.IssuedAt);

        var available = await stack.Api.Client.GetFromJsonAsync<List<UserCouponView>>($"/api/coupons/user/{user}/available");
        Assert.Single(available!);
    }

    [Fact]
    public async Task The_last_unit_goes_to_one_user_and_the_next_user_hears_sold_out()
    {
        var (couponId, users) = await stack.Api.OpenSaleAsync(1, 2);

        Assert.Equal(HttpStatusCode.Accepted, (await stack.Api.IssueAsync(couponId, users[0])).Status);
        var late = await stack.Api.IssueAsync(couponId, users[1]);

        Assert.Equal(HttpStatusCode.Conflict, late.Status);
        Assert.Equal("SOLD_OUT", late.Code);
        var report = await stack.Api.WaitForDrainAsync(couponId);
        Assert.True(report.Consistent, string.Join("; ", report.Problems));
    }

    [Fact]
    public async Task A_user_hammering_the_button_gets_429_with_retry_after_and_other_users_are_not_slowed()
    {
        var (couponId, users) = await stack.Api.OpenSaleAsync(10, 2);

        // Default limit: 5 clicks a second per user, burst 5. The first click is accepted, the next ones are
        // duplicates.
        var started = System.Diagnostics.Stopwatch.StartNew();
        var hammering = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => stack.Api.IssueAsync(couponId, users[0])));
        var elapsed = started.Elapsed;
        var other = await stack.Api.IssueAsync(couponId, users[1]);

        var limited = hammering.Where(a => a.Status == HttpStatusCode.TooManyRequests).ToList();
        // 5 from rest plus what refilled while the 20 ran: a bound on what got through, not a timing target.
        Assert.InRange(20 - limited.Count, 5, 5 + (int)Math.Ceiling(elapsed.TotalSeconds * 5));
        Assert.All(limited, a => Assert.Equal("RATE_LIMITED", a.Code));
        Assert.All(limited, a => Assert.True(int.Parse(a.RetryAfter!, System.Globalization.CultureInfo.InvariantCulture) >= 1));
        Assert.Equal(1, hammering.Count(a => a.Status == HttpStatusCode.Accepted));
        Assert.Equal(HttpStatusCode.Accepted, other.Status);
        var report = await stack.Api.WaitForDrainAsync(couponId);
        Assert.Equal(2, report.Database.UserCouponRows);
    }

    [Fact]
    public async Task Events_that_have_not_started_or_have_ended_refuse_with_their_own_codes()
    {
        var now = DateTimeOffset.UtcNow;
        var future = await stack.Api.CreateOpenCouponAsync(5, now.AddHours(1), now.AddHours(2));
        var past = await stack.Api.CreateOpenCouponAsync(5, now.AddDays(-2), now.AddDays(-1));
        var user = (await stack.Api.CreateUsersAsync(1))[0];

        var early = await stack.Api.IssueAsync(future, user);
        var late = await stack.Api.IssueAsync(past, user);

        Assert.Equal((HttpStatusCode.Conflict, "COUPON_NOT_OPEN"), (early.Status, early.Code));
        Assert.Equal((HttpStatusCode.Conflict, "COUPON_ENDED"), (late.Status, late.Code));
    }

    [Fact]
    public async Task A_coupon_whose_gate_is_not_open_yet_answers_503_with_retry_after_then_opens_by_itself()
    {
        var couponId = await stack.Api.CreateOpenCouponAsync(5, open: false);
        var user = (await stack.Api.CreateUsersAsync(1))[0];

        var answer = await stack.Api.IssueAsync(couponId, user);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.Status);
        Assert.Equal("GATE_NOT_READY", answer.Code);
        Assert.NotNull(answer.RetryAfter);

        await Eventually.MatchesAsync(() => stack.Api.IssueAsync(couponId, user), a => a.Status == HttpStatusCode.Accepted,
            TimeSpan.FromSeconds(15), "the gate never opened by itself");
    }

    [Fact]
    public async Task Opening_an_event_twice_keeps_the_first_gate()
    {
        var (couponId, user) = await stack.Api.OpenSaleForOneAsync(3);
        Assert.Equal(HttpStatusCode.Accepted, (await stack.Api.IssueAsync(couponId, user)).Status);

        var again = await stack.Api.Admin.PostAsync($"/api/admin/coupons/{couponId}/open", null);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var body = await again.Content.ReadFromJsonAsync<OpenedEvent>();
        Assert.False(body!.Opened);
        Assert.Equal(2, body.RemainingStock);
    }

    [Fact]
    public async Task The_issuable_list_shows_open_coupons_with_their_remaining_quantity()
    {
        var couponId = await stack.Api.CreateOpenCouponAsync(7);

        // The list is cached for a few seconds (in-process and in Redis), so a new coupon appears shortly.
        var listed = await Eventually.MatchesAsync(
            async () => (await stack.Api.Users.GetIssuableAsync()).FirstOrDefault(c => c.Id == couponId),
            c => c is not null, TimeSpan.FromSeconds(15), "the new coupon never appeared in the issuable list");
        Assert.Equal((7, 7), (listed!.TotalQuantity, listed.RemainingQuantity));
    }
}
