using Coupons.Cli.Drills;
using Coupons.IntegrationTests.Faults;

namespace Coupons.IntegrationTests.Topology;

/// <summary>
/// The alert path end to end, on the files compose deploys: the replicas' probe metric, Prometheus with
/// deploy/prometheus/alerts.yml, Alertmanager with deploy/alertmanager/alertmanager.yml, and a receiver standing in
/// for the pager. MariaDB stopped must page on-call (P0 route) within the seed's P0 detect target (1 minute: a page
/// is later than the alert firing, so this is the stricter reading); started again, the page must resolve. The P1
/// target (Kafka down within 5 minutes) is checked by <c>couponctl drill kafka-down</c>, whose PASS requires it.
/// </summary>
[Trait("Category", "Topology")]
[Collection(TopologyCollection.Name)]
public sealed class AlertPathDrillTests(TopologyFixture topology)
{
    private const string PagerOnCall = "/pager/oncall";

    [Fact]
    public async Task MariaDb_stopped_pages_on_call_and_the_page_resolves_once_it_is_back()
    {
        await topology.WaitUntilServingAsync();
        using var receiver = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{topology.Ports.AlertReceiverPort}") };
        await topology.StopResourceAsync("mariadb");
        var stoppedAt = DateTimeOffset.UtcNow;
        DateTimeOffset startedAt;
        Notification firing;
        try
        {
            firing = (await Eventually.MatchesAsync(() => PagesAsync(receiver, "firing", stoppedAt), pages => pages.Count > 0,
                TimeSpan.FromMinutes(3), "on-call was never paged for CouponsMySQLDown"))[0];
        }
        finally
        {
            await topology.StartResourceAsync("mariadb", TimeSpan.FromMinutes(2));
            startedAt = DateTimeOffset.UtcNow;
        }

        var resolved = (await Eventually.MatchesAsync(() => PagesAsync(receiver, "resolved", startedAt), pages => pages.Count > 0,
            TimeSpan.FromMinutes(4), "the CouponsMySQLDown page never resolved"))[0];
        var pagedAfter = (firing.ReceivedAt - stoppedAt).TotalSeconds;
        var resolvedAfter = (resolved.ReceivedAt - startedAt).TotalSeconds;
        await FaultOutcome.RecordAsync($"topology: alert path: MariaDB stopped -> CouponsMySQLDown (P0) at {PagerOnCall} after {pagedAfter:F0} s; " +
            $"started -> resolved after {resolvedAfter:F0} s");
        Assert.Equal("P0", firing.Alerts.First(a => a.Name == "CouponsMySQLDown").Severity);
        Assert.True(pagedAfter <= SeverityTarget.P0.Detect.TotalSeconds, $"on-call was paged {pagedAfter:F0} s after MariaDB stopped; the P0 target is {SeverityTarget.P0.Detect.TotalSeconds:F0} s");

        foreach (var replica in new[] { "app-1", "app-2" })
        {
            using var ready = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await topology.App.ResourceNotifications.WaitForResourceHealthyAsync(replica, ready.Token);
        }
    }

    private static async Task<List<Notification>> PagesAsync(HttpClient receiver, string status, DateTimeOffset after) =>
        [.. (await receiver.GetFromJsonAsync<List<Notification>>("/notifications"))!
            .Where(n => n.Route == PagerOnCall && n.ReceivedAt > after && n.Status == status
                && n.Alerts.Any(a => a.Name == "CouponsMySQLDown" && a.Status == status))];

    private sealed record Notification(string Route, DateTimeOffset ReceivedAt, string Status, List<Alert> Alerts);

    private sealed record Alert(string Name, string Severity, string Status);
}
