using Coupons.IntegrationTests.Api;

namespace Coupons.IntegrationTests.Auth;

/// <summary>
/// Who may click for whom (design.md §9): with anonymous requests off, a click, a user's coupons and a request's status
/// need a valid bearer token whose subject is that publicId. Every token a hostile client could send is refused.
/// </summary>
[Trait("Category", "Auth")]
[Collection(StackCollection.Name)]
public sealed class UserAuthTests(StackFixture stack) : IAsyncLifetime
{
    private CouponApiFactory _app = null!;

    public Task InitializeAsync()
    {
        // Anonymous off, as in production. The shared instance's consumer writes; this one only answers.
        _app = new CouponApiFactory(new Dictionary<string, string?> { ["Auth:AllowAnonymous"] = "false", ["Kafka:RunConsumer"] = "false" });
        return ApiDriver.WaitUntilReadyAsync(_app.CreateClient());
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    public static TheoryData<string, string> BadTokens => new()
    {
        { "forged (a key the app does not know, under a real key id)", "forged" },
        { "expired", "expired" },
        { "not valid yet", "future" },
        { "for another audience", "audience" },
        { "from another issuer", "issuer" },
        { "unsigned (alg: none)", "none" },
        { "not a token at all", "garbage" },
    };

    [Fact]
    public async Task Without_a_token_a_click_a_users_coupons_and_a_status_are_401()
    {
        var (couponId, user) = await CouponAndUserAsync();
        var client = _app.CreateClient();

        await BadInputTests.AssertProblemAsync(await client.PostAsync($"/api/coupons/{couponId}/issue-fcfs/{user}", null), HttpStatusCode.Unauthorized, "TOKEN_MISSING");
        await BadInputTests.AssertProblemAsync(await client.GetAsync($"/api/coupons/user/{user}"), HttpStatusCode.Unauthorized, "TOKEN_MISSING");
        await BadInputTests.AssertProblemAsync(await client.GetAsync($"/api/coupons/{couponId}/issue-requests/{Guid.CreateVersion7()}"), HttpStatusCode.Unauthorized, "TOKEN_MISSING");
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_token_is_401_and_takes_nothing(string what, string kind)
    {
        var (couponId, user) = await CouponAndUserAsync();
        var token = kind switch
        {
            "forged" => TestTokens.For(user, key: TestTokens.Forged),
            "expired" => TestTokens.For(user, expires: DateTimeOffset.UtcNow.AddMinutes(-5), notBefore: DateTimeOffset.UtcNow.AddMinutes(-20)),
            "future" => TestTokens.For(user, notBefore: DateTimeOffset.UtcNow.AddMinutes(5), expires: DateTimeOffset.UtcNow.AddMinutes(20)),
            "audience" => TestTokens.For(user, audience: "someone-else"),
            "issuer" => TestTokens.For(user, issuer: "https://evil.example"),
            "none" => TestTokens.Unsigned(user),
            _ => "not.a.token",
        };

        var answer = await _app.CreateClient().WithToken(token).PostAsync($"/api/coupons/{couponId}/issue-fcfs/{user}", null);

        await BadInputTests.AssertProblemAsync(answer, HttpStatusCode.Unauthorized, "TOKEN_INVALID");
        Assert.True(answer.Headers.WwwAuthenticate.Count > 0, what);
        Assert.Equal(0, (await stack.Api.ConsistencyAsync(couponId)).Redis.AcceptedRequests);
    }

    [Fact]
    public async Task A_valid_token_clicks_for_its_own_user_under_either_rotation_key_and_however_the_id_is_cased()
    {
        var (couponId, users) = await stack.Api.OpenSaleAsync(5, 2);

        var current = await ApiDriver.IssueAsync(_app.CreateClient().WithToken(TestTokens.For(users[0])), couponId, users[0]);
        var previous = await ApiDriver.IssueAsync(_app.CreateClient().WithToken(TestTokens.For(users[1].ToUpperInvariant(), key: TestTokens.Previous)), couponId, users[1]);

        Assert.Equal(HttpStatusCode.Accepted, current.Status);
        Assert.Equal(HttpStatusCode.Accepted, previous.Status);
        await stack.Api.WaitForDrainAsync(couponId);
        await Invariants.AssertHoldAsync(couponId, [current.RequestId!.Value, previous.RequestId!.Value]);
    }

    [Fact]
    public async Task A_token_for_someone_else_cannot_click_for_them_read_their_coupons_or_their_request_status()
    {
        var couponId = await stack.Api.CreateOpenCouponAsync(5);
        var (victim, attacker) = ((await stack.Api.CreateUsersAsync(2))[0], (await stack.Api.CreateUsersAsync(1))[0]);
        var victims = _app.CreateClient().WithToken(TestTokens.For(victim));
        var attackers = _app.CreateClient().WithToken(TestTokens.For(attacker));
        var claimed = await ApiDriver.IssueAsync(victims, couponId, victim);
        Assert.Equal(HttpStatusCode.Accepted, claimed.Status);

        await BadInputTests.AssertProblemAsync(await attackers.PostAsync($"/api/coupons/{couponId}/issue-fcfs/{victim}", null), HttpStatusCode.Forbidden, "SUBJECT_MISMATCH");
        await BadInputTests.AssertProblemAsync(await attackers.GetAsync($"/api/coupons/user/{victim}"), HttpStatusCode.Forbidden, "SUBJECT_MISMATCH");
        var statusUrl = $"/api/coupons/{couponId}/issue-requests/{claimed.RequestId}";
        await BadInputTests.AssertProblemAsync(await attackers.GetAsync(statusUrl), HttpStatusCode.NotFound, "REQUEST_NOT_FOUND"); // no leak

        Assert.Equal(HttpStatusCode.OK, (await victims.GetAsync(statusUrl)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await victims.GetAsync($"/api/coupons/user/{victim}")).StatusCode);
        await BadInputTests.AssertProblemAsync(await victims.GetAsync($"/api/coupons/{couponId + 1_000_000}/issue-requests/{claimed.RequestId}"), HttpStatusCode.NotFound, "REQUEST_NOT_FOUND");
        await stack.Api.WaitForDrainAsync(couponId);
        Assert.Equal(1, (await Invariants.ReadAsync(couponId)).Rows);
    }

    [Fact]
    public async Task Someone_elses_refused_clicks_and_reads_do_not_spend_the_victims_allowance()
    {
        // Issue 21, item 3: with mallory's valid token, 10 clicks on the victim's path answered 403 x5 then 429 x5, and
        // the victim's own click then got 429 RATE_LIMITED: anyone could lock anyone out of a sale.
        var couponId = await stack.Api.CreateOpenCouponAsync(5);
        var (victim, mallory) = ((await stack.Api.CreateUsersAsync(1))[0], (await stack.Api.CreateUsersAsync(1))[0]);
        var mallorys = _app.CreateClient().WithToken(TestTokens.For(mallory));
        var victims = _app.CreateClient().WithToken(TestTokens.For(victim));

        // Mallory's refusals are 403, or 429 once mallory's own allowance is spent: the limit is per subject.
        var refused = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            refused.Add((await mallorys.PostAsync($"/api/coupons/{couponId}/issue-fcfs/{victim}", null)).StatusCode);
            refused.Add((await mallorys.GetAsync($"/api/coupons/user/{victim}")).StatusCode);
        }

        Assert.All(refused, status => Assert.True(status is HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests, $"{status}"));
        Assert.Contains(HttpStatusCode.Forbidden, refused);

        Assert.Equal(HttpStatusCode.Accepted, (await ApiDriver.IssueAsync(victims, couponId, victim)).Status);
        Assert.Equal(HttpStatusCode.OK, (await victims.GetAsync($"/api/coupons/user/{victim}")).StatusCode);
    }

    private async Task<(long CouponId, string User)> CouponAndUserAsync() =>
        (await stack.Api.CreateOpenCouponAsync(5), (await stack.Api.CreateUsersAsync(1))[0]);
}
