namespace Coupons.IntegrationTests.Topology;

/// <summary>The topology as a user and an operator first meet it: the guide's curl (design.md §1) through nginx, both
/// replicas serving.</summary>
[Collection(TopologyCollection.Name)]
public sealed class TopologyEdgeTests(TopologyFixture topology)
{
    [Fact]
    public async Task The_guides_curl_answers_202_then_409_through_nginx_and_both_replicas_serve()
    {
        // curl -X POST localhost:8081/api/coupons/11/issue-fcfs/test-user, twice (the demo data is seeded as in dev mode)
        using var first = await topology.Edge.PostAsync("/api/coupons/11/issue-fcfs/test-user", null);
        using var second = await topology.Edge.PostAsync("/api/coupons/11/issue-fcfs/test-user", null);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Contains("ALREADY_REQUESTED", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // More users through the same edge: nginx (least_conn) spreads them, and each replica's own metrics show it.
        var (couponId, users) = await topology.Api.OpenSaleAsync(stock: 1000, people: 60);
        var before = await ClicksServedAsync();
        var answers = await Task.WhenAll(users.Select(user => ApiDriver.IssueAsync(topology.Edge, couponId, user)));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Accepted, a.Status)); // 1,000 units for 60 people
        // The counter is cumulative (read before and after), and a scrape may show it a moment late.
        await Eventually.MatchesAsync(async () => (await ClicksServedAsync()).Zip(before, (after, earlier) => after - earlier).ToList(),
            served => served.All(count => count > 0), TimeSpan.FromSeconds(30), "a replica served none of the 60 clicks");
        await topology.Api.WaitForDrainAsync(couponId, TimeSpan.FromSeconds(60));
        var facts = await Invariants.AssertHoldAsync(couponId, [.. answers.Select(a => a.RequestId!.Value)], topology.MySql);
        Assert.Equal(60, facts.Rows);
    }

    private async Task<IReadOnlyList<double>> ClicksServedAsync() =>
        await ReplicaMetrics.PerReplicaAsync(topology, "http_server_request_duration_seconds_count",
            sample => sample.Labels.GetValueOrDefault("http_route") == "/api/coupons/{couponId}/issue-fcfs/{publicId}");
}
