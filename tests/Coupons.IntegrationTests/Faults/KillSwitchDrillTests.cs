namespace Coupons.IntegrationTests.Faults;

/// <summary>
/// Issue 23's drill, the guide's step for a sick service ("temporarily block the traffic"), as the runbook
/// (docs/runbooks/CouponsSalePaused.md) has the on-call do it: users arriving steadily, Redis killed mid-load, the sale
/// paused once the app shows Redis down, Redis back, the sale resumed once its gate is rebuilt. While paused every
/// click hears 503 SALE_PAUSED (none REDIS_UNAVAILABLE: a paused sale does not ask Redis); nothing accepted before is
/// lost, and I1-I6 hold once it settles.
/// </summary>
[Trait("Category", "Faults")]
[Collection(FaultCollection.Name)]
public sealed class KillSwitchDrillTests
{
    private const int Stock = 150;
    private const int Users = 250;

    [Fact]
    public async Task A_sale_paused_during_a_redis_outage_and_resumed_after_it_loses_nothing()
    {
        await using var app = new CouponApiFactory(FaultCollection.FastRepair());
        var api = new ApiDriver(app.CreateClient(), app.CreateAdminClient());
        await ApiDriver.WaitUntilReadyAsync(api.Client);
        var couponId = await api.CreateOpenCouponAsync(Stock);
        var users = await api.CreateUsersAsync(Users);
        var load = new SteadyLoad();
        var running = load.RunAsync(() => api.Client, couponId, users, spread: TimeSpan.FromSeconds(15), deadline: TimeSpan.FromSeconds(120));
        await Task.Delay(TimeSpan.FromSeconds(3));

        var watch = FaultFelt.Watch(app.CreateClient(), api, couponId);
        TimeSpan pausedAt, resumingAt;
        try
        {
            await StackControl.StopRedisAsync();
            // The on-call sees Redis down (the alert, couponctl status), then pulls the switch.
            await Eventually.TrueAsync(() => Task.FromResult(watch.Down.Contains("redis")), TimeSpan.FromSeconds(30), "the app never reported redis DOWN");
            await api.Operator.PauseSaleAsync(couponId, "drill: redis down");
            pausedAt = load.Now;
            await Task.Delay(TimeSpan.FromSeconds(5));
        }
        finally
        {
            await StackControl.StartRedisAsync();
            await watch.DisposeAsync();
        }

        // Resumed once the dependency is healthy again and the gate rebuilt (the runbook's "Mitigate: resume").
        await Eventually.MatchesAsync(() => api.ConsistencyOrNullAsync(couponId), r => r is { Redis.GateOpen: true }, TimeSpan.FromSeconds(60),
            "the gate was never rebuilt after Redis came back");
        resumingAt = load.Now;
        var resumed = await api.Operator.ResumeSaleAsync(couponId);
        Assert.Equal((true, false), (resumed.Changed, resumed.ClicksRefused));
        await running;

        var whilePaused = load.Answers.Where(a => a.SentAt >= pausedAt && a.SentAt < resumingAt).ToList();
        Assert.NotEmpty(whilePaused);
        Assert.All(whilePaused, a => Assert.Equal(("SALE_PAUSED", "5"), (a.Answer.Code, a.Answer.RetryAfter)));
        Assert.Contains(load.Answers, a => a.SentAt >= resumingAt && a.Answer.Status == HttpStatusCode.Accepted); // selling again
        var outcome = await FaultOutcome.SettleAndAssertAsync("kill switch during redis down", api, () => api.Client, couponId, Stock, Users, load,
            recoverySeconds: 0, felt: watch.ToString());
        Assert.Equal(0, outcome.Lost);
        Assert.Empty(app.ServerErrors.Errors);
    }
}
