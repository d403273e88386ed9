extern alias apphost;

using System.Globalization;
using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using apphost::Coupons.AppHost;
using Coupons.Client;

namespace Coupons.IntegrationTests.Topology;

/// <summary>
/// The production topology (src/Coupons.AppHost: MariaDB with binlog, Redis + Sentinel, three Kafka brokers, two
/// replicas behind nginx, Prometheus, Alertmanager, the alert receiver and the Aspire dashboard), started once for the
/// drills in <see cref="TopologyCollection"/> through Aspire.Hosting.Testing, on ports of its own and a fresh state
/// folder.
/// </summary>
public sealed class TopologyFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(6);

    public TopologyOptions Ports { get; } = new()
    {
        StateDirectory = Path.Combine(StackControl.RepoRoot, ".test-infra", "topology"),
        NginxPort = 28081,
        AppPort = 28181,
        AdminPort = 29181,
        MariaDbPort = 23316,
        RedisPort = 23391,
        SentinelPort = 23491,
        KafkaControlPort = 23591,
        PrometheusPort = 23390,
        AlertmanagerPort = 23393,
        AlertReceiverPort = 23394,
        AdminApiKey = "topology-test-admin-key-not-a-secret-000001",
        ReadAdminApiKey = "topology-test-read-key-not-a-secret-0000001",
    };

    /// <summary>Partitions of the request topic (the Kafka mock host creates it so).</summary>
    public const int TopicPartitions = 4;

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>The public edge: nginx on its port, as users reach the service.</summary>
    public HttpClient Edge { get; } = new() { Timeout = TimeSpan.FromSeconds(40) };

    /// <summary>Users through nginx; the operator on replica 1's admin listener.</summary>
    public ApiDriver Api { get; private set; } = null!;

    public string MySql => Ports.MySqlConnectionString;

    public string StateDirectory => Ports.StateDirectory;

    /// <summary>
    /// The dashboard's address (the testing host picks its port; the AppHost run by hand uses :17180).
    /// </summary>
    public Uri Dashboard { get; private set; } = null!;

    /// <summary>Every address the dashboard resource reports (for a failure message).</summary>
    public string DashboardUrls { get; private set; } = "";

    /// <summary>
    /// HOME as it was: the AppHost points it at its state folder for everything it starts, in this process too.
    /// </summary>
    private readonly string? _home = Environment.GetEnvironmentVariable("HOME");

    public async Task InitializeAsync()
    {
        if (Directory.Exists(Ports.StateDirectory))
        {
            Directory.Delete(Ports.StateDirectory, recursive: true); // every run starts from empty data directories
        }

        var args = new List<string>
        {
            "--ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
            "--ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true",
        };
        foreach (var property in typeof(TopologyOptions).GetProperties().Where(p => p.CanWrite))
        {
            args.Add($"--{TopologyOptions.Section}:{property.Name}={Convert.ToString(property.GetValue(Ports), CultureInfo.InvariantCulture)}");
        }

        var builder = await DistributedApplicationTestingBuilder.CreateAsync<apphost::Projects.Coupons_AppHost>([.. args],
            (options, _) =>
            {
                options.DisableDashboard = false; // the dashboard is the APM the drills look at
                options.AllowUnsecuredTransport = true;
            });
        App = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await App.StartAsync(timeout.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync("nginx", timeout.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync("prometheus", timeout.Token);
        // The UI's own endpoint is named "http" (the others are its OTLP receivers).
        var dashboard = await App.ResourceNotifications.WaitForResourceAsync("aspire-dashboard", e => e.Snapshot.Urls.Any(u => u.Name == "http"), timeout.Token);
        DashboardUrls = string.Join(", ", dashboard.Snapshot.Urls.Select(u => $"{u.Name}={u.Url}"));
        Dashboard = new Uri(new Uri(dashboard.Snapshot.Urls.First(u => u.Name == "http").Url).GetLeftPart(UriPartial.Authority));
        Edge.BaseAddress = new Uri($"http://127.0.0.1:{Ports.NginxPort}");
        Api = new ApiDriver(Edge, AdminClient(0));
        await WaitForSettledConsumerGroupAsync();
    }

    /// <summary>
    /// Waits until both replicas consume (each holds partitions, together all of them). A replica that (re)joins
    /// starts a rebalance that pauses consumption for tens of seconds on the mock broker; a drill that started inside
    /// one would measure the rebalance, not its own fault.
    /// </summary>
    public async Task WaitForSettledConsumerGroupAsync() =>
        await Eventually.MatchesAsync(() => ReplicaMetrics.PerReplicaAsync(this, "coupons_consumer_assigned_partitions"),
            held => held.All(p => p > 0) && held.Sum() == TopicPartitions, TimeSpan.FromSeconds(120),
            "the consumer group never settled with both replicas consuming");

    /// <summary>
    /// Waits until a fresh user's click is accepted by each replica (straight to its public port, not through nginx).
    /// A drill starts from a serving topology: after the previous drill healed, a replica may still be re-checking its
    /// gates (503, as it should) for a few seconds.
    /// </summary>
    public async Task WaitUntilServingAsync()
    {
        _probe ??= await Api.CreateOpenCouponAsync(1_000_000, end: DateTimeOffset.UtcNow.AddDays(1)); // lives as long as the fixture, on its own database
        var users = await Api.CreateUsersAsync(200);
        var next = 0;
        for (var replica = 0; replica < 2; replica++)
        {
            using var direct = new HttpClient { BaseAddress = new Uri(AppReplicas.PublicUrl(Ports, replica)) };
            await Eventually.MatchesAsync(() => ApiDriver.IssueAsync(direct, _probe.Value, users[next++ % users.Count]),
                answer => answer.Status == HttpStatusCode.Accepted, TimeSpan.FromSeconds(90), $"replica {replica + 1} does not take clicks");
        }
    }

    private long? _probe;

    /// <summary>The most clicks one burst of a test may send: one client address's burst on one replica.</summary>
    public const int ClickBurst = 100;

    /// <summary>
    /// Waits until one client address has its whole click allowance again, before a burst of at most
    /// <see cref="ClickBurst"/>. Every test click reaches nginx from 127.0.0.1, and each replica allows one address 100
    /// clicks a second with a burst of 100 (Edge:ClicksPerClientPerSecond, GCRA): nginx's least_conn can send any share
    /// of a burst to one replica (the other one slower for a moment), so two bursts of 100 in the same second can meet
    /// 429 RATE_LIMITED on one replica, as they should. A second with no click refills the allowance, however the
    /// clicks were split.
    /// </summary>
    public static Task WaitForFullClickAllowanceAsync() => Task.Delay(TimeSpan.FromSeconds(1.2));

    /// <summary>An admin client on replica <paramref name="replica"/>'s (0-based) admin listener.</summary>
    public HttpClient AdminClient(int replica) => CouponsAdminClient.Create(new Uri(AppReplicas.AdminUrl(Ports, replica)), Ports.AdminApiKey).Http;

    public async Task StartResourceAsync(string resource, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var result = await App.ResourceCommands.ExecuteCommandAsync(resource, "resource-start", cts.Token);
        Assert.True(result.Success, $"start {resource}: {result.Message}");
        await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cts.Token);
        if (resource.StartsWith("app-", StringComparison.Ordinal))
        {
            await WaitForSettledConsumerGroupAsync();
        }
    }

    public async Task StopResourceAsync(string resource)
    {
        var result = await App.ResourceCommands.ExecuteCommandAsync(resource, "resource-stop");
        Assert.True(result.Success, $"stop {resource}: {result.Message}");
    }

    /// <summary>
    /// The process id of an executable resource as the orchestrator started it. Not for a port's listener: the
    /// orchestrator itself listens on the ports it proxies (the dashboard's among them).
    /// </summary>
    public int ProcessId(string resource)
    {
        Assert.True(App.ResourceNotifications.TryGetCurrentState(resource, out var state), $"no resource {resource}");
        var pid = state!.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value;
        Assert.True(pid is not null, $"{resource} has no process id: {string.Join(", ", state.Snapshot.Properties.Select(p => p.Name))}");
        return Convert.ToInt32(pid, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Waits until the orchestrator has seen <paramref name="resource"/>'s process end (after a kill -9).
    /// </summary>
    public async Task WaitExitedAsync(string resource, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await App.ResourceNotifications.WaitForResourceAsync(resource,
            e => e.Snapshot.State?.Text is "Exited" or "Finished" or "FailedToStart", cts.Token);
    }

    /// <summary>One command to the Kafka mock host's control port (down/up/leader/coordinator ...).</summary>
    public async Task KafkaAsync(string command)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", Ports.KafkaControlPort);
        using var reader = new StreamReader(tcp.GetStream());
        await using var writer = new StreamWriter(tcp.GetStream()) { AutoFlush = true };
        await writer.WriteLineAsync(command);
        var reply = await reader.ReadLineAsync();
        Assert.True(reply?.StartsWith("ok", StringComparison.Ordinal) == true, $"kafka mock '{command}': {reply}");
    }

    public string KafkaBootstrap => File.ReadAllText(Path.Combine(Ports.StateDirectory, "kafka", "bootstrap"));

    public async Task DisposeAsync()
    {
        Edge.Dispose();
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }

        Environment.SetEnvironmentVariable("HOME", _home);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TopologyCollection : ICollectionFixture<TopologyFixture>
{
    public const string Name = "production topology";
}
