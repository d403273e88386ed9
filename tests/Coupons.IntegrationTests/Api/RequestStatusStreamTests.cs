using Coupons.Client;
using Coupons.Issuance;

namespace Coupons.IntegrationTests.Api;

/// <summary>
/// Issue 23, the waiting user: a request's outcome pushed as server-sent events instead of polled. Its own user's
/// request only, one stream per person (the newer replaces the older), a bounded number per instance, ends when the
/// request is decided (or, still pending, after its lifetime). An instance of its own (tokens required, two streams at
/// most, a short lifetime); the shared instance's consumer decides, paused while a test needs a request to stay
/// PENDING.
/// </summary>
[Trait("Category", "Api")]
[Collection(StackCollection.Name)]
public sealed class RequestStatusStreamTests(StackFixture stack) : IAsyncLifetime
{
    private CouponApiFactory _app = null!;

    public Task InitializeAsync()
    {
        _app = Instance(lifetime: "00:01:00"); // longer than a resumed consumer can take to decide, whatever the machine
        return ApiDriver.WaitUntilReadyAsync(_app.CreateClient());
    }

    private static CouponApiFactory Instance(string lifetime) => new(new Dictionary<string, string?>
    {
        ["Auth:AllowAnonymous"] = "false",
        ["Kafka:RunConsumer"] = "false",
        ["Issuance:MaxStatusStreams"] = "2",
        ["Issuance:StatusStreamHeartbeat"] = "00:00:00.500",
        ["Issuance:StatusStreamLifetime"] = lifetime,
    });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_outcome_is_pushed_when_the_database_decides_and_the_stream_then_ends()
    {
        var (couponId, users) = await stack.Api.OpenSaleAsync(stock: 2, people: 2);
        var (winner, loser) = (UserClient(users[0]), UserClient(users[1]));
        List<IssueRequestView> won, lost; // both win here: the gate refuses the rest itself, without a request to watch
        await PauseConsumerAsync();
        try
        {
            var first = await IssueAsync(winner, couponId, users[0]);
            var second = await IssueAsync(loser, couponId, users[1]);
            await using var winning = await OpenAsync(winner, couponId, first);
            await using var losing = await OpenAsync(loser, couponId, second);
            var readWon = ReadAsync(winning);
            var readLost = ReadAsync(losing);
            // Nothing decides while the consumer is paused: the streams have said PENDING and wait.
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.False(readWon.IsCompleted || readLost.IsCompleted, "a stream ended before its request was decided");
            await ResumeConsumerAsync();
            (won, lost) = (await readWon, await readLost);
        }
        finally
        {
            await ResumeConsumerAsync();
        }

        Assert.Equal("PENDING", won[0].Status);
        Assert.Equal(("ISSUED", null), (won[^1].Status, won[^1].Reason));
        Assert.Equal("ISSUED", lost[^1].Status);
        Assert.All(won.SkipLast(1).Concat(lost.SkipLast(1)), v => Assert.Equal("PENDING", v.Status));
        await Eventually.TrueAsync(() => Task.FromResult(Watches.Open == 0), TimeSpan.FromSeconds(10), "a decided stream stayed registered");

        // Decided already: one event, and the stream ends.
        await using var again = await OpenAsync(winner, couponId, won[0].RequestId);
        Assert.Equal(["ISSUED"], (await ReadAsync(again)).Select(v => v.Status));
    }

    [Fact]
    public async Task A_stream_is_for_its_own_user_one_per_person_and_bounded_per_instance()
    {
        var (couponId, users) = await stack.Api.OpenSaleAsync(stock: 10, people: 4);
        var clients = users.Select(UserClient).ToList();
        var decided = await IssueAsync(clients[3], couponId, users[3]);
        await stack.Api.WaitForDrainAsync(couponId);
        await PauseConsumerAsync();
        try
        {
            var requests = new List<Guid>();
            for (var i = 0; i < 3; i++)
            {
                requests.Add(await IssueAsync(clients[i], couponId, users[i]));
            }

            var url = $"/api/coupons/{couponId}/issue-requests/{requests[0]}/events";
            await BadInputTests.AssertProblemAsync(await _app.CreateClient().GetAsync(url), HttpStatusCode.Unauthorized, "TOKEN_MISSING");
            var strangers = await clients[1].StreamRequestAsync(couponId, requests[0]);
            Assert.Equal((HttpStatusCode.NotFound, "REQUEST_NOT_FOUND"), (strangers.Status, strangers.Problem?.Code)); // no leak

            // A person's newer stream (a reload, another tab) replaces the older one, which ends; it keeps one place.
            await using var first = await OpenAsync(clients[0], couponId, requests[0]);
            var firstEvents = ReadAsync(first);
            await using var again = await OpenAsync(clients[0], couponId, requests[0]);
            Assert.All(await firstEvents, v => Assert.Equal("PENDING", v.Status));
            await using var second = await OpenAsync(clients[1], couponId, requests[1]);
            Assert.Equal(2, Watches.Open);
            var full = await clients[2].StreamRequestAsync(couponId, requests[2]);
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "STATUS_STREAMS_FULL"), (full.Status, full.Problem?.Code));
            Assert.NotNull(full.Problem!.RetryAfter);

            // A full instance still takes what needs no place: a person's reload (it replaces their stream) and a
            // decided request's outcome (one event). The replaced stream's reconnect is told to stop: 204.
            var againEvents = ReadAsync(again);
            await using var reload = await OpenAsync(clients[0], couponId, requests[0]);
            Assert.All(await againEvents, v => Assert.Equal("PENDING", v.Status));
            await using var outcome = await OpenAsync(clients[3], couponId, decided);
            Assert.Equal(["ISSUED"], (await ReadAsync(outcome)).Select(v => v.Status));
            Assert.Equal(HttpStatusCode.NoContent, await ReconnectAsync(clients[0], couponId, requests[0], "superseded"));

            // The person who closes their stream frees its place for someone else.
            await reload.DisposeAsync();
            await Eventually.TrueAsync(() => Task.FromResult(Watches.Open == 1), TimeSpan.FromSeconds(10), "a closed stream kept its place");
            await using var third = await OpenAsync(clients[2], couponId, requests[2]);
            await ResumeConsumerAsync();
            Assert.Equal("ISSUED", (await ReadAsync(second))[^1].Status);
            Assert.Equal("ISSUED", (await ReadAsync(third))[^1].Status);

            // An EventSource reconnecting after the outcome names its last event: 204, which tells it to stop.
            Assert.Equal(HttpStatusCode.NoContent, await ReconnectAsync(clients[1], couponId, requests[1], "decided"));
        }
        finally
        {
            await ResumeConsumerAsync();
        }
    }

    [Fact]
    public async Task A_stream_still_waiting_beats_and_ends_on_pending_after_its_lifetime()
    {
        await using var shortLived = Instance(lifetime: "00:00:03");
        var (couponId, user) = await stack.Api.OpenSaleForOneAsync(stock: 1);
        var client = new CouponsClient(shortLived.CreateClient().WithToken(TestTokens.For(user)));
        await PauseConsumerAsync();
        try
        {
            var requestId = await IssueAsync(client, couponId, user);
            await using var stream = await OpenAsync(client, couponId, requestId);

            var events = await ReadAsync(stream);

            // About 3 s (2.4-3 s) of lifetime, a heartbeat every 0.5 s: the first PENDING, repeats, and the end without
            // an outcome.
            Assert.True(events.Count >= 3, $"{events.Count} events");
            Assert.All(events, v => Assert.Equal(("PENDING", requestId), (v.Status, v.RequestId)));
        }
        finally
        {
            await ResumeConsumerAsync();
        }

        await stack.Api.WaitForDrainAsync(couponId);
    }

    private RequestWatches Watches => _app.Services.GetRequiredService<RequestWatches>();

    private CouponsClient UserClient(string publicId) => new(_app.CreateClient().WithToken(TestTokens.For(publicId)));

    private static async Task<Guid> IssueAsync(CouponsClient client, long couponId, string publicId)
    {
        var answer = await client.IssueAsync(couponId, publicId);
        Assert.True(answer.IsSuccess, answer.Problem?.ToString());
        return answer.Value!.RequestId;
    }

    private static async Task<RequestEvents> OpenAsync(CouponsClient client, long couponId, Guid requestId)
    {
        var answer = await client.StreamRequestAsync(couponId, requestId);
        Assert.True(answer.IsSuccess, answer.Problem?.ToString());
        return answer.Value!;
    }

    private static async Task<List<IssueRequestView>> ReadAsync(RequestEvents events)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var read = new List<IssueRequestView>();
        await foreach (var view in events.ReadAllAsync(timeout.Token))
        {
            read.Add(view);
        }

        return read;
    }

    /// <summary>
    /// What an EventSource's reconnect gets after the stream's last event had <paramref name="lastEventId"/>.
    /// </summary>
    private static async Task<HttpStatusCode> ReconnectAsync(CouponsClient client, long couponId, Guid requestId, string lastEventId)
    {
        using var reconnect = new HttpRequestMessage(HttpMethod.Get, $"/api/coupons/{couponId}/issue-requests/{requestId}/events");
        reconnect.Headers.Add("Last-Event-ID", lastEventId);
        using var answer = await client.Http.SendAsync(reconnect);
        return answer.StatusCode;
    }

    private async Task PauseConsumerAsync() => (await stack.Api.Admin.PostAsync("/api/admin/consumer/pause", null)).EnsureSuccessStatusCode();

    private async Task ResumeConsumerAsync() => (await stack.Api.Admin.PostAsync("/api/admin/consumer/resume", null)).EnsureSuccessStatusCode();
}
