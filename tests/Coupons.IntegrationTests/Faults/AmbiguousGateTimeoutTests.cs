using Coupons.Gate;
using StackExchange.Redis;

namespace Coupons.IntegrationTests.Faults;

/// <summary>
/// A gate call that times out but ran on Redis anyway: the click answered 503, yet its request id holds a unit.
/// The unit must come back as soon as Redis answers again (UncertainTakesLoop), not only when reconciliation's grace
/// period (60 s by default, left at that here so reconciliation cannot be what passes this test) has passed.
/// </summary>
[Trait("Category", "Faults")]
[Collection(FaultCollection.Name)]
public sealed class AmbiguousGateTimeoutTests
{
    [Fact]
    public async Task A_click_whose_gate_call_timed_out_but_ran_gives_its_unit_back_so_the_user_can_click_again()
    {
        await using var proxy = FaultProxy.ForRedis();
        await using var app = new CouponApiFactory(new Dictionary<string, string?> { ["ConnectionStrings:redis"] = proxy.Endpoint });
        var api = new ApiDriver(app.CreateClient(), app.CreateAdminClient());
        await ApiDriver.WaitUntilReadyAsync(api.Client);
        var (couponId, user) = await api.OpenSaleForOneAsync(1);
        await using var direct = await ConnectionMultiplexer.ConnectAsync(TestStack.Redis); // past the proxy: what Redis really holds
        // One click elsewhere first, with no delay: this instance's gate path works, so the 503 below is the delay's.
        Assert.Equal(HttpStatusCode.Accepted, (await api.IssueAsync(await api.CreateOpenCouponAsync(1), user)).Status);

        // Every byte takes 1.5 s each way: the gate script reaches Redis and runs, its answer comes after the app's
        // 1 s timeout, three attempts in a row. The first attempt takes the unit; the click hears 503.
        proxy.Latency = TimeSpan.FromSeconds(1.5);
        var first = await api.IssueAsync(couponId, user);
        // Past the proxy, at once: a give-back sent after the 503 needs 1.5 s to reach Redis, so what is seen now is
        // what the timed-out call did. Without this the test would pass just as well if the call had never run.
        var heldAfterTheTimeout = await ResetAfterGateTests.HoldsAUnitAsync(new GateInspector(direct, Microsoft.Extensions.Options.Options.Create(new GateOptions())), couponId, user);
        proxy.Latency = TimeSpan.Zero;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.Status);
        Assert.True(heldAfterTheTimeout, "the timed-out gate call never took the unit: nothing here was ambiguous");

        // Without the give-back the user would hear ALREADY_REQUESTED, for a request that never got a 202, for 60 s.
        var again = await Eventually.MatchesAsync(() => api.IssueAsync(couponId, user), a => a.Status == HttpStatusCode.Accepted,
            TimeSpan.FromSeconds(20), "the unit taken by the unanswered call was never given back");
        var report = await api.WaitForDrainAsync(couponId);
        Assert.True(report.Consistent, string.Join("; ", report.Problems));
        var facts = await Invariants.AssertHoldAsync(couponId, [again.RequestId!.Value]);
        Assert.Equal(1, facts.Rows);
        Assert.Empty(app.ServerErrors.Errors);
    }
}
