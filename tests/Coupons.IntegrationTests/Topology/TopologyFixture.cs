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
/// drills in <see cref="TopologyCollection"/> through Aspire.Hosting.Testing, on ports of its own and a fresh state folder.
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
    };

    public const int DashboardPort = 27180;

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>The public edge: nginx on its port, as users reach the service.</summary>
    public HttpClient Edge { get; } = new() { Timeout = TimeSpan.FromSeconds(40) };

    /// <summary>Users through nginx; the operator on replica 1's admin listener.</summary>
    public ApiDriver Api { get; private set; } = null!;

    public string MySql => Ports.MySqlConnectionString;

    public string StateDirectory => Ports.StateDirectory;

    public Uri Dashboard { get; } = new($"http://127.0.0.1:{DashboardPort}");

    public async Task InitializeAsync()
    {
        if (Directory.Exists(Ports.StateDirectory))
        {
            Directory.Delete(Ports.StateDirectory, recursive: true); // every run starts from empty data directories
        }

        var args = new List<string>
        {
            $"--ASPNETCORE_URLS={Dashboard}",
            $"--ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://127.0.0.1:{DashboardPort + 1}",
            $"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://127.0.0.1:{DashboardPort + 2}",
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
        Edge.BaseAddress = new Uri($"http://127.0.0.1:{Ports.NginxPort}");
        Api = new ApiDriver(Edge, AdminClient(0));
    }

    /// <summary>An admin client on replica <paramref name="replica"/>'s (0-based) admin listener.</summary>
    public HttpClient AdminClient(int replica) => CouponsAdminClient.Create(new Uri(AppReplicas.AdminUrl(Ports, replica)), Ports.AdminApiKey).Http;

    public async Task StartResourceAsync(string resource, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var result = await App.ResourceCommands.ExecuteCommandAsync(resource, "resource-start", cts.Token);
        Assert.True(result.Success, $"start {resource}: {result.Message}");
        await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cts.Token);
    }

    public async Task StopResourceAsync(string resource)
    {
        var result = await App.ResourceCommands.ExecuteCommandAsync(resource, "resource-stop");
        Assert.True(result.Success, $"stop {resource}: {result.Message}");
    }

    /// <summary>Waits until the orchestrator has seen <paramref name="resource"/>'s process end (after a kill -9).</summary>
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
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TopologyCollection : ICollectionFixture<TopologyFixture>
{
    public const string Name = "production topology";
}
