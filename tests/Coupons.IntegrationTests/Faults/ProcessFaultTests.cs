namespace Coupons.IntegrationTests.Faults;

/// <summary>The app itself failing (design.md §6, scenario 4: app overload / OOM / kill), as a real process.</summary>
[Trait("Category", "Faults")]
[Collection(FaultCollection.Name)]
public sealed class ProcessFaultTests
{
    /// <summary>
    /// How long a click written before the SIGTERM may sit unread in its socket on this machine (loopback, two busy
    /// cores).
    /// </summary>
    private static readonly TimeSpan ReadMargin = TimeSpan.FromMilliseconds(200);

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
            Assert.True(await app.WaitForExitAsync(TimeSpan.FromSeconds(10)), "the app outlived kill -9 for 10 s");
            await Task.Delay(TimeSpan.FromSeconds(2));
            await app.DisposeAsync();

            var restartedAt = DateTime.UtcNow;
            app = await AppProcess.StartAsync(port, FastRepairEnvironment(), "kill9-restarted");
            api = new ApiDriver(app.Client, app.Admin);
            var recovery = await FaultOutcome.MeasureRecoveryAsync(() => client, probeCouponId, probeUsers, restartedAt, TimeSpan.FromSeconds(30));
            await running;

            var outcome = await FaultOutcome.SettleAndAssertAsync("app kill -9 (recovery includes process start)", api, () => client, couponId, Stock, Users, load, recovery);
            Assert.Equal(0, outcome.Lost);
            Assert.True(recovery <= 30, $"no click accepted within 30 s of the restart: {recovery:F1} s");
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
            // A unit for everyone, so that the clicks in flight at the signal are ones the app must accept, not sold
            // out.
            var api = new ApiDriver(app.Client, app.Admin);
            var (couponId, users) = await api.OpenSaleAsync(Users, Users);
            var probeCouponId = await api.CreateOpenCouponAsync(10_000);
            var probeUsers = await api.CreateUsersAsync(300);
            var topicBefore = KafkaTestClients.RequestTopicEnds();
            var load = new SteadyLoad();
            var running = load.RunAsync(() => client, couponId, users, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(120));

            // Every publish waits 300 ms on the broker, so clicks are in flight when the SIGTERM lands: the drain has
            // work to do.
            await Task.Delay(TimeSpan.FromSeconds(3));
            await StackControl.KafkaAsync("rtt all 300");
            TimeSpan signalledAt;
            try
            {
                // The broker slow for a second first (30 clicks a second, each now waiting 300 ms), then the signal
                // while several are on their way.
                await Task.Delay(TimeSpan.FromSeconds(1));
                await Eventually.TrueAsync(() => Task.FromResult(load.InFlight >= 3), TimeSpan.FromSeconds(10), "fewer than 3 clicks were in flight");
                signalledAt = load.Now;
                await app.TerminateAsync();
                Assert.True(await app.WaitForExitAsync(TimeSpan.FromSeconds(30)), "app did not stop within 30 s of SIGTERM");
            }
            finally
            {
                await StackControl.KafkaAsync("rtt all 0");
            }

            Assert.Equal(0, app.ExitCode);
            await app.DisposeAsync();

            // Before anything restarts: every 202 answered so far is in the database, in the topic or parked. A restart
            // and the settle afterwards would otherwise hide a request the shutdown dropped (issue 26, item 2).
            var acceptedBeforeExit = load.AcceptedRequestIds.ToHashSet();
            var unaccounted = acceptedBeforeExit.Except((await Invariants.ReadAsync(couponId)).IssuedRequestIds).ToHashSet();
            unaccounted.ExceptWith(await Invariants.ParkedAsync(unaccounted));
            unaccounted.ExceptWith(KafkaTestClients.ReadRequests(topicBefore, unaccounted, TimeSpan.FromSeconds(10)));
            Assert.True(unaccounted.Count == 0, $"{unaccounted.Count} of {acceptedBeforeExit.Count} requests answered 202 before the exit are nowhere");
            // The clicks in flight at the signal were answered by the process on its way out, none was cut off. Clicks
            // sent after the signal are refused (and retried, as a browser would): once Kestrel stops, it closes each
            // idle keep-alive connection, and a click written to one as it closes is reset without having been read
            // (the keep-alive race every HTTP/1.1 server has; clean clone D had 6, all sent after the signal). A click
            // sent in the last moment before the signal can still be in the socket unread, so only those sent at least
            // ReadMargin before it count: they had reached the app.
            var answeredAcrossTheSignal = load.Answers.Count(a => a.SentAt < signalledAt && a.At > signalledAt);
            Assert.True(answeredAcrossTheSignal > 0, "no click sent before the SIGTERM was answered after it: nothing was drained");
            var cutOff = load.CutOff.Where(c => c.SentAt < signalledAt - ReadMargin).ToList();
            Assert.True(cutOff.Count == 0, $"{cutOff.Count} clicks sent before the SIGTERM were cut off by the shutdown, e.g. {cutOff.FirstOrDefault()} (signal at {signalledAt})");

            var restartedAt = DateTime.UtcNow;
            app = await AppProcess.StartAsync(port, FastRepairEnvironment(), "sigterm-restarted");
            api = new ApiDriver(app.Client, app.Admin);
            var recovery = await FaultOutcome.MeasureRecoveryAsync(() => client, probeCouponId, probeUsers, restartedAt, TimeSpan.FromSeconds(30));
            await running;

            var outcome = await FaultOutcome.SettleAndAssertAsync("app SIGTERM + restart (recovery includes process start)", api, () => client, couponId, Users, Users, load, recovery,
                felt: $"answered across the signal={answeredAcrossTheSignal} cut-off={cutOff.Count} reset-after-the-signal={load.CutOff.Count - cutOff.Count} accepted before the exit={acceptedBeforeExit.Count}, all written, parked or in the topic");
            Assert.Equal(0, outcome.Lost);
            Assert.True(recovery <= 30, $"no click accepted within 30 s of the restart: {recovery:F1} s");
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
    /// <summary>
    /// More clicks at once than the heap can hold requests for (issue 24's topology run: a replica under the 256 MB cap
    /// died of OutOfMemory in a spike; 20,000 connections at one instance killed it too; this test's 12,000 killed it
    /// under 128 MB). Refused, not died: a connection beyond what the heap holds (Edge:MaxConnections follows the heap)
    /// is closed at the door, a request past the high-water mark is answered 429 with Retry-After, every other click is
    /// answered 202 or 409, the process stays up, and what it accepted is issued once. 192 MB: 12,000 at once are well
    /// past what it holds, and the limit leaves margin (at 128 MB the service's own ~50 MB left too little).
    /// </summary>
    [Fact]
    public async Task A_heap_cap_refuses_a_spike_larger_than_it_can_hold_and_stays_up()
    {
        const int spikeUsers = 6_000;
        const int stock = 200;
        var port = Coupons.IntegrationTests.Infrastructure.FreeTcpPort.Find();
        var environment = FastRepairEnvironment();
        environment["DOTNET_GCHeapHardLimit"] = "0xC000000"; // 192 MB
        await using var app = await AppProcess.StartAsync(port, environment, "heap192");
        var api = new ApiDriver(app.Client, app.Admin);
        var (couponId, users) = await api.OpenSaleAsync(stock, spikeUsers);
        await ApiDriver.WaitUntilReadyAsync(app.Client);

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clicks = users.SelectMany(user => new[] { user, user }).Select(async user =>
        {
            await start.Task;
            try
            {
                return (User: user, Answer: (IssueAnswer?)await ApiDriver.IssueAsync(app.Client, couponId, user));
            }
            catch (HttpRequestException)
            {
                return (User: user, Answer: null); // closed at the door: the click never reached the app
            }
        }).ToList();
        start.SetResult();
        var answers = await Task.WhenAll(clicks);

        Assert.False(app.HasExited, "the app died under the 192 MB heap cap");
        var answered = answers.Where(a => a.Answer is not null).Select(a => a.Answer!).ToList();
        Assert.All(answered, a => Assert.True(a.Status is HttpStatusCode.Accepted or HttpStatusCode.Conflict
            || (a is { Status: HttpStatusCode.TooManyRequests, Code: "RATE_LIMITED", RetryAfter: not null }), $"{a.Status} {a.Code}"));
        var accepted = answered.Where(a => a.Status == HttpStatusCode.Accepted).Select(a => a.RequestId!.Value).ToList();
        Assert.InRange(accepted.Count, 1, stock);
        await api.WaitForDrainAsync(couponId);
        var facts = await Invariants.AssertHoldAsync(couponId, accepted);
        Assert.Equal(accepted.Count, facts.Rows);
        // After the spike the instance serves again: a click of a person who was refused is answered.
        var refusedPerson = answers.FirstOrDefault(a => a.Answer is null or { Status: HttpStatusCode.TooManyRequests }).User ?? users[0];
        var after = await Eventually.MatchesAsync(() => ApiDriver.IssueAsync(app.Client, couponId, refusedPerson),
            a => a.Status is HttpStatusCode.Accepted or HttpStatusCode.Conflict, TimeSpan.FromSeconds(30), "no click was served after the spike");
        await File.AppendAllTextAsync(Path.Combine(StackControl.RepoRoot, ".test-infra", "fault-outcomes.log"),
            $"{DateTime.UtcNow:O} heap cap 192 MB, {answers.Length} clicks at once: closed at the door={answers.Count(a => a.Answer is null)} " +
            $"shed (429)={answered.Count(a => a.Status == HttpStatusCode.TooManyRequests)} accepted={accepted.Count} issued={facts.Rows} " +
            $"after: {after.Status} peak RSS={app.PeakRssMiB():F0} MiB{Environment.NewLine}");
    }
}
