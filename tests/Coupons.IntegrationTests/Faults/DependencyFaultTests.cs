namespace Coupons.IntegrationTests.Faults;

/// <summary>
/// design.md §6, one test per guide scenario: steady load of distinct users against limited stock, the real
/// dependency process broken mid-load for 10 s, healed, then I1–I6 (design.md §2) checked in the database and recovery
/// (a new click accepted) required within 10 s of the dependency returning. No app restart in any of them.
/// </summary>
[Trait("Category", "Faults")]
[Collection(FaultCollection.Name)]
public sealed class DependencyFaultTests
{
    private const int Stock = 150;
    private const int Users = 300;
    private static readonly TimeSpan FaultDuration = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Redis_killed_and_restarted_empty()
    {
        await using var app = new CouponApiFactory(FaultCollection.FastRepair());
        await RunAsync("redis restart-empty", app, StackControl.StopRedisAsync, StackControl.StartRedisAsync, SeenDown("redis"));
    }

    /// <summary>
    /// A Redis that comes back with its data, but old: a snapshot taken two seconds into the load (as AOF everysec, a
    /// promoted replica or a restored backup would bring back). Units taken since are free again in it and their
    /// holders forgotten; trusted, it would hand them out twice.
    /// </summary>
    [Fact]
    public async Task Redis_restarted_from_a_stale_snapshot()
    {
        await using var app = new CouponApiFactory(FaultCollection.FastRepair());
        await RunAsync("redis restart-stale", app, async () =>
        {
            await StackControl.SnapshotRedisAsync("mid-load");
            await Task.Delay(TimeSpan.FromSeconds(2));
            await StackControl.RestartRedisFromSnapshotAsync("mid-load");
        }, () => Task.CompletedTask, Answered("GATE_NOT_READY")); // its gates distrusted until rebuilt from the database
    }

    /// <summary>
    /// Redis HA: the app reaches Redis through three sentinels; the primary is killed mid-load and a replica that may
    /// lack its last second of writes (AOF everysec, asynchronous replication) is promoted. The app follows without a
    /// restart; the promoted server's gates carry another run_id, so they are distrusted and rebuilt from the database.
    /// </summary>
    [Fact]
    public async Task Redis_primary_killed_and_the_replica_promoted_by_sentinel()
    {
        await StackControl.StartRedisSentinelSetAsync();
        try
        {
            var settings = FaultCollection.FastRepair();
            settings["ConnectionStrings:redis"] = TestStack.RedisSentinel;
            await using var app = new CouponApiFactory(settings);
            await RunAsync("redis primary kill -9, sentinel failover", app, StackControl.KillRedisPrimaryAsync, () => Task.CompletedTask,
                fault => Assert.True(fault.During.Any(a => a.Answer.Code is "REDIS_UNAVAILABLE" or "GATE_NOT_READY"),
                    $"no click sent after the kill heard REDIS_UNAVAILABLE or GATE_NOT_READY ({fault.Felt})"));
        }
        finally
        {
            await StackControl.StopRedisSentinelSetAsync();
        }
    }

    [Fact]
    public async Task Kafka_broker_down()
    {
        await using var app = new CouponApiFactory(FaultCollection.FastRepair());
        await RunAsync("kafka down", app, () => StackControl.KafkaAsync("down all"), () => StackControl.KafkaAsync("up all"), fault =>
        {
            SeenDown("kafka")(fault);
            Assert.True(fault.Felt.MaxParked > 0, $"nothing was parked while Kafka was down ({fault.Felt})");
        });
    }

    [Fact]
    public async Task MariaDb_stopped()
    {
        await using var app = new CouponApiFactory(FaultCollection.FastRepair());
        await RunAsync("mariadb stopped", app, StackControl.StopMySqlAsync, StackControl.StartMySqlAsync, SeenDown("db"));
    }

    [Fact]
    public async Task Redis_partitioned()
    {
        await using var proxy = FaultProxy.ForRedis();
        var settings = FaultCollection.FastRepair();
        settings["ConnectionStrings:redis"] = proxy.Endpoint;
        await using var app = new CouponApiFactory(settings);
        await RunAsync("redis partition", app, Partition(proxy), Heal(proxy), SeenDown("redis"));
    }

    [Fact]
    public async Task MariaDb_partitioned()
    {
        await using var proxy = FaultProxy.ForMySql();
        var settings = FaultCollection.FastRepair();
        settings["ConnectionStrings:coupons"] = proxy.MySqlConnectionString;
        await using var app = new CouponApiFactory(settings);
        await RunAsync("mariadb partition", app, Partition(proxy), Heal(proxy), SeenDown("db"));
    }

    [Fact]
    public async Task Kafka_slow_broker()
    {
        await using var app = new CouponApiFactory(FaultCollection.FastRepair());
        await RunAsync("kafka latency 500ms", app, () => StackControl.KafkaAsync("rtt all 500"), () => StackControl.KafkaAsync("rtt all 0"),
            fault =>
            {
                var slow = fault.During.Count(a => a.Answer.Status == HttpStatusCode.Accepted && a.At - a.SentAt >= TimeSpan.FromMilliseconds(500));
                Assert.True(slow >= 10, $"{slow} clicks accepted during the fault waited the broker's 500 ms ({fault.Felt})");
            });
    }

    /// <summary>The app's health reported <paramref name="component"/> DOWN while the fault was on.</summary>
    private static Action<FaultWindow> SeenDown(string component) =>
        fault => Assert.True(fault.Felt.Down.Contains(component), $"the app never reported {component} DOWN during the fault ({fault.Felt})");

    /// <summary>Some click sent while the fault was on was answered with <paramref name="code"/>.</summary>
    private static Action<FaultWindow> Answered(string code) =>
        fault => Assert.True(fault.During.Any(a => a.Answer.Code == code), $"no click sent during the fault heard {code} ({fault.Felt})");

    /// <summary>
    /// What one fault showed: the app's health and parked count while it was on, and the clicks sent meanwhile.
    /// </summary>
    private sealed record FaultWindow(FaultFelt Felt, SteadyLoad Load, TimeSpan From, TimeSpan To)
    {
        public IEnumerable<(string User, IssueAnswer Answer, TimeSpan At, TimeSpan SentAt)> During =>
            Load.Answers.Where(a => a.SentAt >= From && a.SentAt <= To);
    }

    private static Func<Task> Partition(FaultProxy proxy) => () =>
    {
        proxy.SetMode(ProxyMode.Blackhole);
        return Task.CompletedTask;
    };

    private static Func<Task> Heal(FaultProxy proxy) => () =>
    {
        proxy.SetMode(ProxyMode.Pass);
        return Task.CompletedTask;
    };

    /// <param name="felt">What the fault must have caused: proof that it reached the app (issue 26, item 3).</param>
    private static async Task RunAsync(string scenario, CouponApiFactory app, Func<Task> inject, Func<Task> heal, Action<FaultWindow> felt)
    {
        var api = new ApiDriver(app.CreateClient(), app.CreateAdminClient());
        await ApiDriver.WaitUntilReadyAsync(api.Client);
        var couponId = await api.CreateOpenCouponAsync(Stock);
        var probeCouponId = await api.CreateOpenCouponAsync(10_000);
        var users = await api.CreateUsersAsync(Users);
        var probeUsers = await api.CreateUsersAsync(300);
        var load = new SteadyLoad();

        var running = load.RunAsync(() => api.Client, couponId, users, spread: TimeSpan.FromSeconds(15), deadline: TimeSpan.FromSeconds(120));
        await Task.Delay(TimeSpan.FromSeconds(3));
        var watch = FaultFelt.Watch(app.CreateClient(), api, couponId);
        var injectedAt = load.Now;
        try
        {
            await inject();
            await Task.Delay(FaultDuration);
        }
        finally
        {
            await heal();
            await watch.DisposeAsync();
        }

        var healedAtOnTheLoadsClock = load.Now;

        var healedAt = DateTime.UtcNow;
        var recovery = await FaultOutcome.MeasureRecoveryAsync(() => api.Client, probeCouponId, probeUsers, healedAt, RecoveryLimit);
        await running;

        felt(new FaultWindow(watch, load, injectedAt, healedAtOnTheLoadsClock));
        var outcome = await FaultOutcome.SettleAndAssertAsync(scenario, api, () => api.Client, couponId, Stock, Users, load, recovery, felt: watch.ToString());
        Assert.True(recovery <= RecoveryLimit.TotalSeconds, $"{scenario}: new requests were not accepted within {RecoveryLimit.TotalSeconds} s of healing ({recovery:F1} s)");
        Assert.Equal(0, outcome.Lost);
        Assert.Empty(app.ServerErrors.Errors);
    }
}
