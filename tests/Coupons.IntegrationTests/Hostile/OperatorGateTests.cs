using Coupons.IntegrationTests.Faults;

namespace Coupons.IntegrationTests.Hostile;

/// <summary>
/// Operator actions that write a gate (open, rebuild-gate) follow the gate keeper's rule: never from a database that is
/// still missing requests the coupon accepted (design.md §2: an action may refuse, it may never break an invariant).
/// </summary>
[Trait("Category", "Hostile")]
[Collection(FaultCollection.Name)]
public sealed class OperatorGateTests
{
    [Fact]
    public async Task Open_after_redis_restarted_empty_waits_for_the_accepted_requests_still_in_kafka()
    {
        // Issue 21, item 2: consumer paused, 50 accepted, redis-server restarted; `open` answered 200 opened with the
        // full stock and no holders, and each of the 50 got a second 202.
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
            Assert.False(again.Any(a => a.Status == HttpStatusCode.Accepted), $"a second 202 for a holder: {string.Join(", ", again.Select(a => a.Code ?? a.Status.ToString()).Distinct())}");
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
        // Hostile review (issue 21): the gate keeper waited the settle time (publish timeout + 1 s) from when it first
        // saw a gate missing, also for a gate that never existed: the first seconds of every event not opened by hand
        // were 503 GATE_NOT_READY. With a 30 s publish timeout here that wait would be 31 s.
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

    [Fact]
    public async Task A_new_event_opens_while_another_coupons_requests_wait_in_kafka()
    {
        // Hostile review 2 (issue 21): consumer paused, one click on another coupon left in Kafka; an event created
        // then answered 503 GATE_NOT_READY for 77 s and `open?wait=5` 202: both waited for the whole topic to be
        // consumed, though a gate that never existed cannot have accepted anything. A sale is known never to have had a
        // gate only if it starts after Redis was last verified plus the clock-skew margin: 2 s here, and the new event
        // starts a few seconds from now (other tests restart Redis).
        await using var app = new CouponApiFactory(new Dictionary<string, string?>
        {
            ["Reconciliation:GateCheckInterval"] = "00:00:00.5",
            ["Gate:ClockSkewMargin"] = "00:00:02",
        });
        var api = new ApiDriver(app.CreateClient(), app.CreateAdminClient());
        await ApiDriver.WaitUntilReadyAsync(api.Client);
        var (busy, busyUsers) = await api.OpenSaleAsync(5, 1);
        var users = await api.CreateUsersAsync(2);
        IssueAnswer waiting, byKeeper, byOperator;
        long fresh, opened;
        await api.Operator.SetConsumerPausedAsync(true);
        try
        {
            waiting = await api.IssueAsync(busy, busyUsers[0]);
            Assert.Equal(HttpStatusCode.Accepted, waiting.Status);
            fresh = await api.CreateOpenCouponAsync(5, start: DateTimeOffset.UtcNow.AddSeconds(4), open: false);
            opened = await api.CreateOpenCouponAsync(5, start: DateTimeOffset.UtcNow.AddHours(1), open: false);

            byKeeper = await Eventually.MatchesAsync(() => api.IssueAsync(fresh, users[0]),
                a => a.Status != HttpStatusCode.ServiceUnavailable && a.Code != "COUPON_NOT_OPEN",
                TimeSpan.FromSeconds(20), "the new event's gate was not opened while another coupon's request waited in Kafka");
            using var open = await api.Admin.PostAsync($"/api/admin/coupons/{opened}/open?wait=5", null);
            Assert.Equal((HttpStatusCode.OK, true), (open.StatusCode, (await open.Content.ReadFromJsonAsync<OpenedEvent>())!.Opened));
            byOperator = await api.IssueAsync(opened, users[1]);
        }
        finally
        {
            await api.Operator.SetConsumerPausedAsync(false);
        }

        Assert.Equal(HttpStatusCode.Accepted, byKeeper.Status);
        Assert.Equal("COUPON_NOT_OPEN", byOperator.Code); // opened early by hand, it still takes no click before its start
        await api.WaitForDrainAsync(busy);
        await api.WaitForDrainAsync(fresh);
        await Invariants.AssertHoldAsync(busy, [waiting.RequestId!.Value]);
        await Invariants.AssertHoldAsync(fresh, [byKeeper.RequestId!.Value]);
    }

    [Fact]
    public async Task A_request_status_is_never_not_found_while_its_gate_is_missing_and_it_waits_in_kafka()
    {
        // Hostile review 2 (issue 21): consumer paused, five 202s, rebuild-gate?wait=0: the status URL of each 202
        // answered 404 REQUEST_NOT_FOUND until the consumer decided it (the lookup counts in-flight requests from the
        // gate).
        await using var app = new CouponApiFactory(FaultCollection.FastRepair());
        var api = new ApiDriver(app.CreateClient(), app.CreateAdminClient());
        await ApiDriver.WaitUntilReadyAsync(api.Client);
        var (couponId, users) = await api.OpenSaleAsync(10, 3);
        IssueAnswer[] accepted;
        await api.Operator.SetConsumerPausedAsync(true);
        try
        {
            accepted = await Task.WhenAll(users.Select(u => api.IssueAsync(couponId, u)));
            Assert.All(accepted, a => Assert.Equal(HttpStatusCode.Accepted, a.Status));
            using var rebuild = await api.Admin.PostAsync($"/api/admin/coupons/{couponId}/rebuild-gate?wait=0", null);
            Assert.Equal(HttpStatusCode.Accepted, rebuild.StatusCode);

            using var status = await api.Client.GetAsync($"/api/coupons/{couponId}/issue-requests/{accepted[0].RequestId}");
            var problem = await status.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.ServiceUnavailable, status.StatusCode);
            Assert.Contains("\"REQUEST_STATUS_UNKNOWN\"", problem, StringComparison.Ordinal);
            Assert.NotNull(status.Headers.RetryAfter);
        }
        finally
        {
            await api.Operator.SetConsumerPausedAsync(false);
        }

        var issued = await Eventually.MatchesAsync(() => api.GetRequestAsync(couponId, accepted[0].RequestId!.Value), r => r?.Status == "ISSUED",
            TimeSpan.FromSeconds(60), "the request was never issued");
        Assert.NotNull(issued);
        // Once the gate is back (the gate keeper rebuilds it after the drain), an id it never accepted is not found.
        var forged = Guid.CreateVersion7();
        await Eventually.MatchesAsync(async () =>
        {
            using var response = await api.Client.GetAsync($"/api/coupons/{couponId}/issue-requests/{forged}");
            return response.StatusCode;
        }, s => s == HttpStatusCode.NotFound, TimeSpan.FromSeconds(30), "an id the gate never accepted was never \"not found\"");
    }

    [Fact]
    public async Task The_report_of_a_coupon_that_just_ended_is_not_consistent_while_its_requests_wait_in_kafka_and_redis_lost_its_gate()
    {
        // Hostile review 2 (issue 21): a sale that ended, 10 requests in Kafka (consumer paused), redis-server
        // restarted empty: the report said consistent, nothing in flight, with 0 rows (only an open coupon's missing
        // gate was a problem). A 2 s clock-skew margin: the sale's gate opens at once, however recently another test
        // had Redis verified.
        var settings = FaultCollection.FastRepair();
        settings["Gate:ClockSkewMargin"] = "00:00:02";
        await using var app = new CouponApiFactory(settings);
        var api = new ApiDriver(app.CreateClient(), app.CreateAdminClient());
        await ApiDriver.WaitUntilReadyAsync(api.Client);
        var users = await api.CreateUsersAsync(10);
        var endsAt = DateTimeOffset.UtcNow.AddSeconds(10);
        var couponId = await api.CreateOpenCouponAsync(100, start: DateTimeOffset.UtcNow.AddSeconds(-5), end: endsAt);
        await api.Operator.SetConsumerPausedAsync(true);
        try
        {
            Assert.All(await Task.WhenAll(users.Select(u => api.IssueAsync(couponId, u))), a => Assert.Equal(HttpStatusCode.Accepted, a.Status));
            await Task.Delay(Clamp(endsAt - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1)));
            await StackControl.StopRedisAsync();
            await StackControl.StartRedisAsync(); // empty

            var report = await Eventually.MatchesAsync(() => api.ConsistencyOrNullAsync(couponId), r => r is not null, TimeSpan.FromSeconds(30),
                "no report after the restart");

            Assert.False(report!.Consistent, "consistent with 10 accepted requests undecided and no gate to count them");
            Assert.Contains(report.Problems, p => p.Contains("cannot be counted", StringComparison.Ordinal));
        }
        finally
        {
            await api.Operator.SetConsumerPausedAsync(false);
        }

        var settled = await Eventually.MatchesAsync(() => api.ConsistencyOrNullAsync(couponId), r => r is { Consistent: true },
            TimeSpan.FromSeconds(60), "the report never became consistent once the requests were written");
        Assert.Equal(10, settled!.Database.UserCouponRows);
    }

    [Fact]
    public async Task A_sale_that_ended_before_redis_was_lost_and_is_extended_waits_for_its_requests_in_kafka()
    {
        // Hostile review 3 (issue 21): a sale ended more than the clock-skew margin before Redis restarted empty, its
        // three 202s still in Kafka (consumer paused). Its gate then read "never existed": the status URLs answered
        // 404, the report said consistent, and once the window was extended the gate opened with no holders and each
        // holder got a second 202.
        await using var app = new CouponApiFactory(new Dictionary<string, string?>
        {
            ["Reconciliation:GateCheckInterval"] = "00:00:00.5",
            ["Gate:ClockSkewMargin"] = "00:00:02",
        });
        var api = new ApiDriver(app.CreateClient(), app.CreateAdminClient());
        await ApiDriver.WaitUntilReadyAsync(api.Client);
        var users = await api.CreateUsersAsync(3);
        var endsAt = DateTimeOffset.UtcNow.AddSeconds(6);
        var couponId = await api.CreateOpenCouponAsync(3, start: DateTimeOffset.UtcNow.AddSeconds(-5), end: endsAt);
        IssueAnswer[] accepted;
        var again = new List<IssueAnswer>();
        await api.Operator.SetConsumerPausedAsync(true);
        try
        {
            accepted = await Task.WhenAll(users.Select(u => api.IssueAsync(couponId, u)));
            Assert.All(accepted, a => Assert.Equal(HttpStatusCode.Accepted, a.Status));
            await Task.Delay(Clamp(endsAt - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(4))); // past the end and the margin
            await StackControl.StopRedisAsync();
            await StackControl.StartRedisAsync(); // empty; verified again by the gate keeper
            var inspector = app.Services.GetRequiredService<Coupons.Gate.GateInspector>();
            await Eventually.TrueAsync(async () =>
            {
                try
                {
                    return (await inspector.ReadTrustAsync()).Trusted;
                }
                catch (StackExchange.Redis.RedisConnectionException)
                {
                    return false; // still coming back
                }
            }, TimeSpan.FromSeconds(30), "Redis was never verified again");
            var report = await Eventually.MatchesAsync(() => api.ConsistencyOrNullAsync(couponId), r => r is not null, TimeSpan.FromSeconds(30),
                "no report after the restart");
            using var status = await api.Client.GetAsync($"/api/coupons/{couponId}/issue-requests/{accepted[0].RequestId}");

            Assert.False(report!.Consistent, "consistent with 3 accepted requests undecided in Kafka");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status.StatusCode);

            await using (var db = new MySqlConnector.MySqlConnection(TestStack.MySql))
            {
                await Dapper.SqlMapper.ExecuteAsync(db, "UPDATE coupons SET end_date = @end WHERE id = @couponId",
                    new { couponId, end = DateTime.UtcNow.AddMinutes(10) });
            }

            var until = DateTime.UtcNow.AddSeconds(12); // the definition cache (5 s) and several gate keeper rounds
            while (DateTime.UtcNow < until)
            {
                again.Add(await api.IssueAsync(couponId, users[0]));
                await Task.Delay(500);
            }
        }
        finally
        {
            await api.Operator.SetConsumerPausedAsync(false);
        }

        Assert.False(again.Any(a => a.Status == HttpStatusCode.Accepted), $"a second 202 for a holder: {string.Join(", ", again.Select(a => a.Code ?? a.Status.ToString()).Distinct())}");
        var final = await Eventually.MatchesAsync(() => api.IssueAsync(couponId, users[0]), a => a.Status != HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(60), "the gate was never rebuilt");
        Assert.Equal((HttpStatusCode.Conflict, "ALREADY_REQUESTED", accepted[0].RequestId), (final.Status, final.Code, final.RequestId));
        await api.WaitForDrainAsync(couponId);
        var facts = await Invariants.AssertHoldAsync(couponId, [.. accepted.Select(a => a.RequestId!.Value)]);
        Assert.DoesNotContain("REJECTED", facts.RequestStatuses.Values);
    }

    private static TimeSpan Clamp(TimeSpan delay) => delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
}
