using System.Text;
using Coupons.Client;
using Coupons.Outbox;
using Dapper;
using MySqlConnector;

namespace Coupons.IntegrationTests.Faults;

/// <summary>
/// Issue 23: the shop's events survive a crash between the database commit and the publish. The first process commits
/// a coupon's issue and use and is killed (-9) before it publishes either (its relay is off, so the window is wide
/// open and proven open: the events are in the outbox and not in Kafka); the process started after it publishes both,
/// in order, keyed by the user.
/// </summary>
[Trait("Category", "Faults")]
[Collection(FaultCollection.Name)]
public sealed class OutboxCrashTests
{
    [Fact]
    public async Task Events_committed_before_a_kill_minus_9_are_published_after_the_restart_and_none_is_lost()
    {
        var port = Coupons.IntegrationTests.Infrastructure.FreeTcpPort.Find();
        var environment = new Dictionary<string, string> { ["Outbox:RunRelay"] = "false" };
        var app = await AppProcess.StartAsync(port, environment, "outbox-crash");
        try
        {
            var from = KafkaTestClients.EventsTopicEnds();
            var api = new ApiDriver(app.Client, app.Admin);
            var (couponId, user) = await api.OpenSaleForOneAsync(stock: 5);
            Assert.Equal(HttpStatusCode.Accepted, (await api.IssueAsync(couponId, user)).Status);
            await api.WaitForDrainAsync(couponId);
            using var orderService = AppProcess.ClientFor(port).WithToken(TestTokens.OrderService());
            var used = await new CouponsClient(orderService).UseCouponAsync(couponId, user, "order-crash", 5000m);
            Assert.True(used.IsSuccess, used.Problem?.ToString());

            // The window is open: both events committed, neither published.
            Assert.Equal(["coupon.issued:unpublished", "coupon.used:unpublished"], await OutboxRowsAsync(user));
            Assert.Empty(KafkaTestClients.ReadEvents(from, user, expected: 1, TimeSpan.FromSeconds(2)));

            app.KillHard();
            Assert.True(await app.WaitForExitAsync(TimeSpan.FromSeconds(10)), "the app outlived kill -9 for 10 s");
            await app.DisposeAsync();
            app = await AppProcess.StartAsync(port, new Dictionary<string, string>(), "outbox-crash-restarted");

            var events = KafkaTestClients.ReadEvents(from, user, expected: 2, TimeSpan.FromSeconds(30))
                .Select(r => ShopEvent.FromJson(Encoding.UTF8.GetString(r.Message.Value))!).ToList();
            Assert.Equal(["coupon.issued", "coupon.used"], events.Select(e => e.Type));
            Assert.Equal(("order-crash", couponId), (events[1].OrderId, events[1].CouponId));
            await Eventually.TrueAsync(async () => (await OutboxRowsAsync(user)).All(r => r.EndsWith(":published", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(10), "the published events were not marked so");
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    private static async Task<List<string>> OutboxRowsAsync(string user)
    {
        await using var connection = new MySqlConnection(TestStack.MySql);
        return (await connection.QueryAsync<(string Type, DateTime? PublishedAt)>(
                "SELECT event_type, published_at FROM outbox_events WHERE event_key = @user ORDER BY id", new { user }))
            .Select(r => $"{r.Type}:{(r.PublishedAt is null ? "unpublished" : "published")}").ToList();
    }
}
