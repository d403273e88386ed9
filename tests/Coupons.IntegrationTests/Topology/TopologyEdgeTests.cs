extern alias apphost;

using apphost::Coupons.AppHost;

namespace Coupons.IntegrationTests.Topology;

/// <summary>The topology as a user and an operator first meet it: the guide's curl (design.md §1) through nginx, both
/// replicas serving.</summary>
[Trait("Category", "Topology")]
[Collection(TopologyCollection.Name)]
public sealed class TopologyEdgeTests(TopologyFixture topology)
{
    [Fact]
    public async Task The_guides_curl_answers_202_then_409_through_nginx_and_both_replicas_serve()
    {
        // curl -X POST localhost:8081/api/coupons/11/issue-fcfs/test-user, twice (the demo data is seeded as in dev
        // mode)
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

    /// <summary>
    /// Issue 22: on-call's key (read scope) and the operator's, as the AppHost writes them for couponctl's contexts. On
    /// each replica the read key reads and cannot act; its file and the operate key's hold the keys the replicas take.
    /// </summary>
    [Fact]
    public async Task The_read_key_reads_and_cannot_act_on_either_replica_and_couponctl_finds_both_keys_in_files()
    {
        for (var replica = 0; replica < 2; replica++)
        {
            using var read = Coupons.Client.CouponsAdminClient.Create(new Uri(AppReplicas.AdminUrl(topology.Ports, replica)), topology.Ports.ReadAdminApiKey).Http;
            using var letters = await read.GetAsync("/api/admin/dead-letters");
            Assert.Equal(HttpStatusCode.OK, letters.StatusCode);
            using var pause = await read.PostAsync("/api/admin/consumer/pause", null);
            await Api.BadInputTests.AssertProblemAsync(pause, HttpStatusCode.Forbidden, "ADMIN_KEY_READ_ONLY");
        }

        var keys = Path.Combine(topology.StateDirectory, "couponctl");
        Assert.Equal(topology.Ports.ReadAdminApiKey, (await File.ReadAllTextAsync(Path.Combine(keys, "read-key"))).Trim());
        Assert.Equal(topology.Ports.AdminApiKey, (await File.ReadAllTextAsync(Path.Combine(keys, "admin-key"))).Trim());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(keys, "read-key")));
        }
    }

    private async Task<IReadOnlyList<double>> ClicksServedAsync() =>
        await ReplicaMetrics.PerReplicaAsync(topology, "http_server_request_duration_seconds_count",
            sample => sample.Labels.GetValueOrDefault("http_route") == "/api/coupons/{couponId}/issue-fcfs/{publicId}");
}
