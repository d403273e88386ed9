namespace Coupons.IntegrationTests.Issuance;

/// <summary>The flash-sale race from the issue: 5,000 users, 2 simultaneous clicks each, 100 coupons.</summary>
[Trait("Category", "Issuance")]
[Collection(StackCollection.Name)]
public sealed class FcfsConcurrencyTests(StackFixture stack)
{
    private const int Users = 5_000;
    private const int ClicksPerUser = 2;
    private const int Stock = 100;

    [Fact]
    public async Task Five_thousand_users_clicking_twice_get_exactly_the_stock_on_one_instance()
    {
        var (couponId, users) = await stack.Api.OpenSaleAsync(Stock, Users);

        var answers = await Race.RunAsync(couponId, users, ClicksPerUser, [stack.App.CreateClient()]);

        await AssertRaceOutcomeAsync(stack.Api, couponId, users, answers);
        Assert.Empty(stack.App.ServerErrors.Errors);
    }

    [Fact]
    public async Task Two_app_instances_sharing_the_stack_hold_the_same_invariants()
    {
        await using var second = new CouponApiFactory();
        var (couponId, users) = await stack.Api.OpenSaleAsync(Stock, Users);

        var answers = await Race.RunAsync(couponId, users, ClicksPerUser, [stack.App.CreateClient(), second.CreateClient()]);

        await AssertRaceOutcomeAsync(stack.Api, couponId, users, answers);
        Assert.Empty(second.ServerErrors.Errors);
    }

    internal static async Task AssertRaceOutcomeAsync(ApiDriver api, long couponId, IReadOnlyList<string> users, IReadOnlyList<(string User, IssueAnswer Answer)> answers)
    {
        Assert.Equal(users.Count * ClicksPerUser, answers.Count);
        var accepted = answers.Where(a => a.Answer.Status == HttpStatusCode.Accepted).ToList();
        Assert.Equal(Stock, accepted.Count);
        Assert.Equal(Stock, accepted.Select(a => a.User).Distinct().Count());

        // Everything else is a 409 with the right code: a winner's other click is ALREADY_REQUESTED;
        // a loser never entered the gate, so both of their clicks are SOLD_OUT.
        var others = answers.Where(a => a.Answer.Status != HttpStatusCode.Accepted).ToList();
        Assert.All(others, a => Assert.Equal(HttpStatusCode.Conflict, a.Answer.Status));
        Assert.All(others, a => Assert.Contains(a.Answer.Code, new[] { "SOLD_OUT", "ALREADY_REQUESTED" }));
        var winners = accepted.Select(a => a.User).ToHashSet();
        Assert.All(others.Where(a => winners.Contains(a.User)), a => Assert.Equal("ALREADY_REQUESTED", a.Answer.Code));
        Assert.All(others.Where(a => !winners.Contains(a.User)), a => Assert.Equal("SOLD_OUT", a.Answer.Code));

        var report = await api.WaitForDrainAsync(couponId);
        var acceptedIds = accepted.Select(a => a.Answer.RequestId!.Value).ToList();
        var facts = await Invariants.AssertHoldAsync(couponId, acceptedIds);
        Assert.Equal(Stock, facts.Rows);
        Assert.Equal(acceptedIds.ToHashSet(), facts.IssuedRequestIds);

        Assert.True(report.Consistent, string.Join("; ", report.Problems));
        Assert.Equal(0, report.Redis.RemainingStock);
        Assert.Equal(Stock, report.Redis.AcceptedRequests);
        Assert.Equal(Stock, report.Database.UserCouponRows);

        foreach (var id in acceptedIds.Take(5))
        {
            Assert.Equal("ISSUED", (await api.GetRequestAsync(couponId, id))!.Status);
        }
    }
}

internal static class Race
{
    /// <summary>
    /// Fires every click at once (they all wait on one starting gun), spread over the given app instances.
    /// </summary>
    public static async Task<IReadOnlyList<(string User, IssueAnswer Answer)>> RunAsync(
        long couponId, IReadOnlyList<string> users, int clicksPerUser, IReadOnlyList<HttpClient> instances)
    {
        foreach (var instance in instances)
        {
            await ApiDriver.WaitUntilReadyAsync(instance);
        }

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clicks = users
            .SelectMany((user, u) => Enumerable.Range(0, clicksPerUser).Select(c => (User: user, Client: instances[(u + c) % instances.Count])))
            .Select(async click =>
            {
                await start.Task;
                return (click.User, await ApiDriver.IssueAsync(click.Client, couponId, click.User));
            })
            .ToList();
        start.SetResult();
        return await Task.WhenAll(clicks);
    }
}
