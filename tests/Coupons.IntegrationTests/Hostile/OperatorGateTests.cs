using Coupons.IntegrationTests.Faults;

namespace Coupons.IntegrationTests.Hostile;

/// <summary>
/// Operator actions that write a gate (open, rebuild-gate) follow the gate keeper's rule: never from a database that is
/// still missing requests the coupon accepted (SPEC §4: an action may refuse, it may never break an invariant).
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class OperatorGateTests
{
    [Fact]
    public async Task Open_after_redis_restarted_empty_waits_for_the_accepted_requests_still_in_kafka()
    {
        // Issue 21, item 2: consumer paused, 50 accepted, redis-server restarted; `open` answered 200 opened with the full
        // stock and no holders, and each of the 50 got a second 202.
        await using var app = new CouponApiFactory(new Dictionary<string, string?> { ["Reconciliation:GateCheckInterval"] = "00:00:00.5" });
        var api = new ApiDriver(app.CreateClient(), app.CreateAdminClient());
        await ApiDriver.WaitUntilReadyAsync(api.Client);
        var (couponId, users) = await api.OpenSaleAsync(20, 10);
        await api.Operator.SetConsumerPausedAsync(true);
        try
        {
            var accepted = await Task.WhenAll(users.Select(u => api.IssueAsync(couponId, u)));
            Assert.All(accepted, a => Assert.Equal(HttpStatusCode.Accepted, a.Status));
            await StackControl.StopRedisAsync();
            await StackControl.StartRedisAsync(); // empty
            await Eventually.MatchesAsync(() => api.IssueAsync(couponId, users[0]), a => a.Code == "GATE_NOT_READY",
                TimeSpan.FromSeconds(60), "the gates were never distrusted after the restart");

            using var open = await api.Admin.PostAsync($"/api/admin/coupons/{couponId}/open", null);
            var view = await open.Content.ReadFromJsonAsync<OpenedEvent>();

            Assert.Equal((HttpStatusCode.Accepted, false), (open.StatusCode, view!.Opened));
            var again = await Task.WhenAll(users.Select(u => api.IssueAsync(couponId, u)));
            Assert.DoesNotContain(again, a => a.Status == HttpStatusCode.Accepted);
        }
        finally
        {
            await api.Operator.SetConsumerPausedAsync(false);
        }

        // Once they landed the gate keeper opens the gate with the 10 holders; each of them is told ALREADY_REQUESTED.
        var final = await Eventually.MatchesAsync(() => api.IssueAsync(couponId, users[0]), a => a.Status != HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(60), "the gate was never rebuilt");
        Assert.Equal((HttpStatusCode.Conflict, "ALREADY_REQUESTED"), (final.Status, final.Code));
        var report = await api.WaitForDrainAsync(couponId);
        Assert.True(report.Consistent, string.Join("; ", report.Problems));
        var facts = await Invariants.ReadAsync(couponId);
        Assert.Equal((10L, 0L), (facts.Rows, facts.DuplicateUsers));
    }

    [Fact]
    public async Task The_report_of_an_open_coupon_whose_gate_is_missing_is_not_consistent()
    {
        // Hostile review (issue 21): consumer paused, 10 clicks, rebuild-gate?wait=0 (202, pointing at the report): the
        // report said consistent, nothing in flight (it counts in-flight requests from the gate it no longer had).
        await using var app = new CouponApiFactory(FaultCollection.FastRepair());
        var api = new ApiDriver(app.CreateClient(), app.CreateAdminClient());
        await ApiDriver.WaitUntilReadyAsync(api.Client);
        var (couponId, users) = await api.OpenSaleAsync(5, 2);
        await api.Operator.SetConsumerPausedAsync(true);
        try
        {
            Assert.All(await Task.WhenAll(users.Select(u => api.IssueAsync(couponId, u))), a => Assert.Equal(HttpStatusCode.Accepted, a.Status));
            using var rebuild = await api.Admin.PostAsync($"/api/admin/coupons/{couponId}/rebuild-gate?wait=0", null);
            Assert.Equal(HttpStatusCode.Accepted, rebuild.StatusCode);

            var report = await api.ConsistencyAsync(couponId);

            Assert.False(report.Consistent);
            Assert.Contains(report.Problems, p => p.Contains("gate of this open coupon is missing", StringComparison.Ordinal));
        }
        finally
        {
            await api.Operator.SetConsumerPausedAsync(false);
        }

        var settled = await Eventually.MatchesAsync(() => api.ConsistencyAsync(couponId), r => r.Redis.GateOpen && r.InFlight == 0,
            TimeSpan.FromSeconds(60), "the gate was never rebuilt");
        Assert.True(settled.Consistent, string.Join("; ", settled.Problems));
        Assert.Equal(2, settled.Database.UserCouponRows);
    }

    [Fact]
    public async Task A_new_event_nobody_opened_takes_clicks_without_waiting_out_the_publish_timeout()
    {
        // Hostile review (issue 21): the gate keeper waited the settle time (publish timeout + 1 s) from when it first saw
        // a gate missing, also for a gate that never existed: the first seconds of every event not opened by hand were
        // 503 GATE_NOT_READY. With a 30 s publish timeout here that wait would be 31 s.
        await using var app = new CouponApiFactory(new Dictionary<string, string?>
        {
            ["Reconciliation:GateCheckInterval"] = "00:00:00.5",
            ["Kafka:DeliveryTimeout"] = "00:00:30",
        });
        var api = new ApiDriver(app.CreateClient(), app.CreateAdminClient());
        await ApiDriver.WaitUntilReadyAsync(api.Client);
        var couponId = await api.CreateOpenCouponAsync(5, start: DateTimeOffset.UtcNow.AddSeconds(-1), open: false);
        var user = (await api.CreateUsersAsync(1))[0];

        var answer = await Eventually.MatchesAsync(() => api.IssueAsync(couponId, user), a => a.Status != HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(15), "the new event's gate was not opened within 15 s");

        Assert.Equal(HttpStatusCode.Accepted, answer.Status);
    }
}
