using Coupons.Admin;
using Coupons.IntegrationTests.Faults;
using Coupons.Reconciliation;

namespace Coupons.IntegrationTests.Hostile;

/// <summary>
/// Opening, rebuilding and reconciling a gate wait only for what can affect that coupon: under steady traffic elsewhere
/// the consumer group is never at lag 0 on every partition at one instant, and must not need to be.
/// </summary>
[Trait("Category", "Hostile")]
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
        await using var slowDb = SlowDatabase();
        await using var app = AppOn(slowDb, ("Reconciliation:Interval", "00:10:00")); // only the reconcile this test asks for
        var api = new ApiDriver(app.CreateClient(), app.CreateAdminClient());
        await ApiDriver.WaitUntilReadyAsync(api.Client);
        var busy = await api.CreateOpenCouponAsync(10_000);
        var users = await api.CreateUsersAsync(330);
        var load = new SteadyLoad();
        var traffic = load.RunAsync(() => api.Client, busy, users.Take(300).ToList(), spread: TimeSpan.FromSeconds(25), deadline: TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(3));
        // The precondition: the busy coupon has requests waiting in Kafka (else nothing here is "under traffic").
        await Eventually.TrueAsync(async () => (await api.ConsistencyAsync(busy)).InFlight > 0, TimeSpan.FromSeconds(10),
            "the busy coupon never had a request in flight: the pipeline was not busy");

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
    /// rebuild-gate deletes the gate in one step, then rebuilds only once what the coupon accepted before has reached
    /// the database: requests still in Kafka are not forgotten (their users hear ALREADY_REQUESTED, not a second 202).
    /// </summary>
    [Fact]
    public async Task Rebuilding_a_gate_with_requests_still_in_kafka_forgets_none_of_them()
    {
        await using var app = new CouponApiFactory(FaultCollection.FastRepair());
        var api = new ApiDriver(app.CreateClient(), app.CreateAdminClient());
        await ApiDriver.WaitUntilReadyAsync(api.Client);
        var (couponId, users) = await api.OpenSaleAsync(10, 6);
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

    /// <summary>
    /// After Redis lost everything, hundreds of open coupons need their gates rebuilt, each costing database round
    /// trips. An event that starts meanwhile must not wait behind all of them: rounds rebuild a few gates, newest
    /// first. (Before: one round rebuilt every due gate and asked the database about parked requests once per missing
    /// gate, so a new event waited for the whole backlog.)
    /// </summary>
    [Fact]
    public async Task Hundreds_of_gates_to_rebuild_do_not_hold_back_an_event_that_starts_now()
    {
        const int Backlog = 300;
        await using var slowDb = SlowDatabase();
        await using var app = AppOn(slowDb);
        var api = new ApiDriver(app.CreateClient(), app.CreateAdminClient());
        await ApiDriver.WaitUntilReadyAsync(api.Client);

        // Written straight to the database (through the proxy 300 admin calls would take long): events that start in
        // 3 s with no gate yet, as if Redis had just lost theirs. They end 3 min later, so that every later test's gate
        // keeper is not kept busy with them.
        var name = "backlog-" + Guid.NewGuid().ToString("N");
        var startsAt = DateTime.UtcNow.AddSeconds(3);
        long newestOfBacklog;
        await using (var db = new MySqlConnector.MySqlConnection(TestStack.MySql))
        {
            await Dapper.SqlMapper.ExecuteAsync(db,
                "INSERT INTO coupons (name, coupon_type, discount_amount, total_quantity, start_date, end_date) VALUES (@name, 'FIXED', 1000, 5, @startsAt, @endsAt)",
                Enumerable.Range(0, Backlog).Select(_ => new { name, startsAt, endsAt = startsAt.AddMinutes(3) }));
            newestOfBacklog = await Dapper.SqlMapper.ExecuteScalarAsync<long>(db, "SELECT MAX(id) FROM coupons WHERE name = @name", new { name });
        }

        try
        {
            // The gate keeper has started on the backlog (newest first) when the new event starts.
            var gate = app.Services.GetRequiredService<Coupons.Gate.GateInspector>();
            await Eventually.TrueAsync(() => gate.IsOpenAsync(newestOfBacklog), TimeSpan.FromSeconds(60), "the backlog was never rebuilt");
            var fresh = await api.CreateOpenCouponAsync(10, open: false);
            var user = (await api.CreateUsersAsync(1))[0];

            var opened = await Eventually.MatchesAsync(() => api.IssueAsync(fresh, user), a => a.Status != HttpStatusCode.ServiceUnavailable,
                TimeSpan.FromSeconds(15), "the new event waited behind the backlog of gates to rebuild");
            var stillShut = 0;
            await using (var db = new MySqlConnector.MySqlConnection(TestStack.MySql))
            {
                foreach (var id in await Dapper.SqlMapper.QueryAsync<long>(db, "SELECT id FROM coupons WHERE name = @name", new { name }))
                {
                    stillShut += await gate.IsOpenAsync(id) ? 0 : 1;
                }
            }

            Assert.Equal(HttpStatusCode.Accepted, opened.Status);
            // The precondition: the backlog was still being rebuilt when the new event opened, or nothing was shown.
            Assert.True(stillShut > 0, "the whole backlog was rebuilt before the new event opened: it waited behind nothing");
        }
        finally
        {
            // 300 open coupons would keep every later test's gate keeper busy: over, long ago, as far as anyone is
            // concerned.
            await using var db = new MySqlConnector.MySqlConnection(TestStack.MySql);
            await Dapper.SqlMapper.ExecuteAsync(db, "UPDATE coupons SET start_date = '2000-01-01', end_date = '2000-01-02' WHERE name = @name", new { name });
        }
    }

    /// <summary>MariaDB behind a proxy adding 30 ms to every packet.</summary>
    private static FaultProxy SlowDatabase()
    {
        var proxy = FaultProxy.ForMySql();
        proxy.Latency = TimeSpan.FromMilliseconds(30);
        return proxy;
    }

    /// <summary>An app on the test stack whose database is reached through <paramref name="db"/>.</summary>
    private static CouponApiFactory AppOn(FaultProxy db, params (string Key, string Value)[] more)
    {
        var settings = FaultCollection.FastRepair();
        settings["ConnectionStrings:coupons"] = db.MySqlConnectionString;
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return new CouponApiFactory(settings);
    }
}
