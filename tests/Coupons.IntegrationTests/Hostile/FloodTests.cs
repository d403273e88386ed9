namespace Coupons.IntegrationTests.Hostile;

/// <summary>
/// Floods of what an attacker can send for free: made-up ids (each one a MySQL lookup unless bounded) and reads
/// (which share MySQL's pool with the rest of the app). Each is answered 404 or 429, never 5xx, and is bounded.
/// </summary>
[Trait("Category", "Hostile")]
[Collection(StackCollection.Name)]
public sealed class FloodTests(StackFixture stack)
{
    [Fact]
    public async Task Reads_of_one_persons_coupons_are_limited_per_person_whatever_the_casing()
    {
        var user = (await stack.Api.CreateUsersAsync(1))[0];

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            stack.Api.Client.GetAsync($"/api/coupons/user/{(i % 2 == 0 ? user : user.ToUpperInvariant())}")));

        Assert.All(answers, a => Assert.True(a.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, a.StatusCode.ToString()));
        var limited = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.All(limited, a => Assert.NotNull(a.Headers.RetryAfter));
    }

    [Fact]
    public async Task A_flood_of_made_up_ids_is_answered_404_or_429_and_its_mysql_work_is_bounded()
    {
        await using var app = new CouponApiFactory(new Dictionary<string, string?>
        {
            ["Issuance:MaxConcurrentUserLookups"] = "2",
            ["Issuance:MaxConcurrentReads"] = "4",
            ["Issuance:MaxQueuedReads"] = "8",
            ["Kafka:RunConsumer"] = "false", // this instance only answers; the shared one writes
        });
        var api = new ApiDriver(app.CreateClient(), app.CreateAdminClient());
        await ApiDriver.WaitUntilReadyAsync(api.Client);
        var couponId = await api.CreateOpenCouponAsync(10);

        var clicks = Enumerable.Range(0, 300).Select(_ => api.IssueAsync(couponId, MadeUp()));
        var reads = Enumerable.Range(0, 300).Select(async _ => (await api.Client.GetAsync($"/api/coupons/user/{MadeUp()}")).StatusCode);
        var clickAnswers = await Task.WhenAll(clicks);
        var readAnswers = await Task.WhenAll(reads);

        Assert.All(clickAnswers, a => Assert.True(a.Status is HttpStatusCode.NotFound or HttpStatusCode.TooManyRequests, $"{a.Status} {a.Code}"));
        Assert.All(readAnswers, status => Assert.True(status is HttpStatusCode.NotFound or HttpStatusCode.TooManyRequests, status.ToString()));
        Assert.Contains(clickAnswers, a => a.Status == HttpStatusCode.TooManyRequests); // the lookup bulkhead turned some away
        Assert.Contains(readAnswers, status => status == HttpStatusCode.TooManyRequests); // so did the read bulkhead
        Assert.Empty(app.ServerErrors.Errors);

        // Nothing is left behind: a real user right after the flood is served at once.
        var user = (await api.CreateUsersAsync(1))[0];
        Assert.Equal(HttpStatusCode.Accepted, (await api.IssueAsync(couponId, user)).Status);
    }

    private static string MadeUp() => "bot-" + Guid.NewGuid().ToString("N")[..20];
}
