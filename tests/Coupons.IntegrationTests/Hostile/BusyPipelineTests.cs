using System.Net;
using System.Net.Http.Json;
using Coupons.Admin;
using Coupons.IntegrationTests.Faults;
using Coupons.IntegrationTests.Infrastructure;
using Coupons.Reconciliation;

namespace Coupons.IntegrationTests.Hostile;

/// <summary>
/// Opening, rebuilding and reconciling a gate wait only for what can affect that coupon: under steady traffic elsewhere
/// the consumer group is never at lag 0 on every partition at one instant, and must not need to be.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class BusyPipelineTests
{
    /// <summary>
    /// MariaDB behind a proxy adding 30 ms to every packet: each consumer batch takes most of a second, so while clicks
    /// keep coming (15 a second on another coupon) some are always waiting in Kafka when lag is read.
    /// </summary>
    [Fact]
    public async Task Under_steady_traffic_a_new_event_opens_and_a_busy_coupon_is_reconciled()
    {
        var builder = new MySqlConnector.MySqlConnectionStringBuilder(TestStack.MySql);
        await using var slowDb = new FaultProxy(builder.Server, (int)builder.Port) { Latency = TimeSpan.FromMilliseconds(30) };
        builder.Server = "127.0.0.1";
        builder.Port = (uint)slowDb.Port;
        var settings = FaultCollection.FastRepair();
        settings["Database:ConnectionString"] = builder.ConnectionString;
        settings["Reconciliation:Interval"] = "00:10:00"; // only the reconcile this test asks for
        await using var app = new CouponApiFactory(settings);
        var api = new ApiDriver(app.CreateClient(), app.CreateAdminClient());
        await ApiDriver.WaitUntilReadyAsync(api.Client);
        var busy = await api.CreateOpenCouponAsync(10_000);
        var users = await api.CreateUsersAsync(330);
        var load = new SteadyLoad();
        var traffic = load.RunAsync(() => api.Client, busy, users.Take(300).ToList(), spread: TimeSpan.FromSeconds(25), deadline: TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(3));

        // A new event nobody opened: the gate keeper opens it (settle, then one mark passed), traffic or not.
        var fresh = await api.CreateOpenCouponAsync(10, open: false);
        var opened = await Eventually.MatchesAsync(() => api.IssueAsync(fresh, users[300]), a => a.Status != HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(15), "the new event's gate never opened while another coupon had traffic");
        Assert.Equal(HttpStatusCode.Accepted, opened.Status);

        // Reconciling the busy coupon itself, mid-traffic: it waits for what the coupon accepted before the call.
        using var reconcile = await api.Admin.PostAsync($"/api/admin/coupons/{busy}/reconcile", null);
        Assert.True(reconcile.StatusCode == HttpStatusCode.OK, await reconcile.Content.ReadAsStringAsync());
        Assert.True((await reconcile.Content.ReadFromJsonAsync<ReconcileResult>())!.Ran);
        Assert.False(traffic.IsCompleted, "the traffic ended before the checks: they proved nothing");

        await traffic;
        await api.WaitForDrainAsync(busy);
        await Invariants.AssertHoldAsync(busy, load.AcceptedRequestIds);
    }

    /// <summary>
    /// rebuild-gate deletes the gate in one step, then rebuilds only once what the coupon accepted before has reached the
    /// database: requests still in Kafka are not forgotten (their users hear ALREADY_REQUESTED, not a second 202).
    /// </summary>
    [Fact]
    public async Task Rebuilding_a_gate_with_requests_still_in_kafka_forgets_none_of_them()
    {
        await using var app = new CouponApiFactory(FaultCollection.FastRepair());
        var api = new ApiDriver(app.CreateClient(), app.CreateAdminClient());
        await ApiDriver.WaitUntilReadyAsync(api.Client);
        var couponId = await api.CreateOpenCouponAsync(10);
        var users = await api.CreateUsersAsync(6);
        (await api.Admin.PostAsync("/api/admin/consumer/pause", null)).EnsureSuccessStatusCode();
        var accepted = await Task.WhenAll(users.Take(5).Select(u => api.IssueAsync(couponId, u)));
        Assert.All(accepted, a => Assert.Equal(HttpStatusCode.Accepted, a.Status));

        var rebuild = api.Admin.PostAsync($"/api/admin/coupons/{couponId}/rebuild-gate", null);
        await Eventually.TrueAsync(async () => !(await api.ConsistencyAsync(couponId)).Redis.GateOpen, TimeSpan.FromSeconds(10), "the gate was not deleted");
        Assert.Equal("GATE_NOT_READY", (await api.IssueAsync(couponId, users[0])).Code); // nothing accepted while it rebuilds
        await Task.Delay(TimeSpan.FromSeconds(6)); // longer than the rebuild takes when nothing is in flight: it must wait for the consumer
        Assert.False(rebuild.IsCompleted, "the gate was rebuilt while accepted requests were still in Kafka");
        (await api.Admin.PostAsync("/api/admin/consumer/resume", null)).EnsureSuccessStatusCode();

        using var rebuilt = await rebuild;
        Assert.Equal(HttpStatusCode.OK, rebuilt.StatusCode);
        var view = (await rebuilt.Content.ReadFromJsonAsync<OpenedEvent>())!;
        Assert.Equal((true, 5L, 5L), (view.Opened, view.RemainingStock!.Value, view.AcceptedRequests));
        var again = await api.IssueAsync(couponId, users[0]);
        Assert.Equal((HttpStatusCode.Conflict, "ALREADY_REQUESTED", accepted[0].RequestId), (again.Status, again.Code, again.RequestId));
        var late = await api.IssueAsync(couponId, users[5]);
        Assert.Equal(HttpStatusCode.Accepted, late.Status);
        await api.WaitForDrainAsync(couponId);
        await Invariants.AssertHoldAsync(couponId, [.. accepted.Select(a => a.RequestId!.Value), late.RequestId!.Value]);
    }
}
