namespace Coupons.IntegrationTests.Faults;

/// <summary>The app itself failing (SPEC §5, "App overload / OOM / kill"), as a real process.</summary>
[Collection(FaultCollection.Name)]
public sealed class ProcessFaultTests
{
    private const int Stock = 150;
    private const int Users = 300;

    private static Dictionary<string, string> FastRepairEnvironment() =>
        FaultCollection.FastRepair().ToDictionary(kv => kv.Key, kv => kv.Value!);

    [Fact]
    public async Task Kill_minus_9_mid_load_loses_no_accepted_request()
    {
        var port = Coupons.IntegrationTests.Infrastructure.FreeTcpPort.Find();
        var app = await AppProcess.StartAsync(port, FastRepairEnvironment(), "kill9");
        using var client = AppProcess.ClientFor(port); // the users' browsers: they outlive any one app process
        try
        {
            var api = new ApiDriver(app.Client, app.Admin);
            var couponId = await api.CreateOpenCouponAsync(Stock);
            var probeCouponId = await api.CreateOpenCouponAsync(10_000);
            var users = await api.CreateUsersAsync(Users);
            var probeUsers = await api.CreateUsersAsync(300);
            var load = new SteadyLoad();
            var running = load.RunAsync(() => client, couponId, users, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(120));

            await Task.Delay(TimeSpan.FromSeconds(4));
            app.KillHard();
            await app.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await Task.Delay(TimeSpan.FromSeconds(2));
            await app.DisposeAsync();

            var restartedAt = DateTime.UtcNow;
            app = await AppProcess.StartAsync(port, FastRepairEnvironment(), "kill9-restarted");
            api = new ApiDriver(app.Client, app.Admin);
            var recovery = await FaultOutcome.MeasureRecoveryAsync(() => client, probeCouponId, probeUsers, restartedAt, TimeSpan.FromSeconds(30));
            await running;

            var outcome = await FaultOutcome.SettleAndAssertAsync("app kill -9 (recovery includes process start)", api, () => client, couponId, Stock, Users, load, recovery);
            Assert.Equal(0, outcome.Lost);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Sigterm_drains_in_flight_work_and_exits_cleanly()
    {
        var port = Coupons.IntegrationTests.Infrastructure.FreeTcpPort.Find();
        var app = await AppProcess.StartAsync(port, FastRepairEnvironment(), "sigterm");
        using var client = AppProcess.ClientFor(port);
        try
        {
            var api = new ApiDriver(app.Client, app.Admin);
            var (couponId, users) = await api.OpenSaleAsync(Stock, Users);
            var load = new SteadyLoad();
            var running = load.RunAsync(() => client, couponId, users, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(120));

            await Task.Delay(TimeSpan.FromSeconds(3));
            await app.TerminateAsync();
            Assert.True(await app.WaitForExitAsync(TimeSpan.FromSeconds(30)), "app did not stop within 30 s of SIGTERM");
            Assert.Equal(0, app.ExitCode);
            await app.DisposeAsync();

            app = await AppProcess.StartAsync(port, FastRepairEnvironment(), "sigterm-restarted");
            api = new ApiDriver(app.Client, app.Admin);
            await running;

            var outcome = await FaultOutcome.SettleAndAssertAsync("app SIGTERM + restart", api, () => client, couponId, Stock, Users, load, 0);
            Assert.Equal(0, outcome.Lost);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_256_MB_heap_cap_survives_a_burst_of_two_thousand_users()
    {
        const int burstUsers = 2_000;
        const int stock = 200;
        var port = Coupons.IntegrationTests.Infrastructure.FreeTcpPort.Find();
        var environment = FastRepairEnvironment();
        environment["DOTNET_GCHeapHardLimit"] = "0x10000000"; // the guide's memory drill: 256 MB
        await using var app = await AppProcess.StartAsync(port, environment, "heap256");
        var api = new ApiDriver(app.Client, app.Admin);
        var (couponId, users) = await api.OpenSaleAsync(stock, burstUsers);

        var answers = await Coupons.IntegrationTests.Issuance.Race.RunAsync(couponId, users, 2, [app.Client]);

        Assert.False(app.HasExited, "the app died under the 256 MB heap cap");
        Assert.Equal(stock, answers.Count(a => a.Answer.Status == HttpStatusCode.Accepted));
        Assert.All(answers, a => Assert.True(a.Answer.Status is HttpStatusCode.Accepted or HttpStatusCode.Conflict, $"{a.Answer.Status} {a.Answer.Code}"));
        await api.WaitForDrainAsync(couponId);
        var facts = await Invariants.AssertHoldAsync(couponId, answers.Where(a => a.Answer.Status == HttpStatusCode.Accepted).Select(a => a.Answer.RequestId!.Value).ToList());
        Assert.Equal(stock, facts.Rows);
        await File.AppendAllTextAsync(Path.Combine(StackControl.RepoRoot, ".test-infra", "fault-outcomes.log"),
            $"{DateTime.UtcNow:O} heap cap 256 MB: {answers.Count} clicks, accepted={stock} issued={facts.Rows} duplicates={facts.DuplicateUsers} peak RSS={app.PeakRssMiB():F0} MiB{Environment.NewLine}");
    }
}
