using System.Globalization;
using System.Security.Cryptography;

namespace Coupons.AppHost;

/// <summary>
/// Two replicas of the service in real mode, configured as compose configures them, but on this host's ports.
/// </summary>
public static class AppReplicas
{
    public static IResourceBuilder<ProjectResource>[] AddAppReplicas(this IDistributedApplicationBuilder builder, Topology topology,
        IResourceBuilder<ExecutableResource> mariadb, IResourceBuilder<ExecutableResource>[] redis, IResourceBuilder<ProjectResource> kafka,
        string kafkaBootstrapFile)
    {
        var o = topology.Options;
        // User tokens are signed with a key made for this run: nothing to keep in the repo, and no published key for
        // the Production guard to refuse. Clicks here are anonymous anyway (the guide's curl, design.md §1), by
        // explicit opt-in.
        var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var settings = new ServiceSettings(o, signingKey);

        // The migration step, as a release runs it before its replicas: as the user that may change the schema, then
        // exit.
        var migrate = builder.AddProject<Projects.Coupons_Api>("migrate", launchProfileName: null)
            .WithArgs("--migrate") // Coupons.Infrastructure.Database.SchemaCommand.Flag
            .WithServiceSettings(settings)
            .WithEnvironment("ConnectionStrings__coupons", o.MigratorConnectionString)
            .WaitFor(mariadb);

        var replicas = new List<IResourceBuilder<ProjectResource>>();
        for (var i = 0; i < o.AppReplicas; i++)
        {
            var replica = builder.AddProject<Projects.Coupons_Api>($"app-{i + 1}", launchProfileName: null)
                .WithHttpEndpoint(port: o.AppPort + i, isProxied: false)
                .WithServiceSettings(settings)
                // Plain Urls, not ASPNETCORE_URLS: it loads later, so it wins over any ASPNETCORE_URLS in the
                // environment.
                .WithEnvironment("Urls", PublicUrl(o, i))
                .WithEnvironment("Admin__Url", AdminUrl(o, i))
                .WithEnvironment(context => context.EnvironmentVariables["ConnectionStrings__kafka"] = File.ReadAllText(kafkaBootstrapFile))
                .WithEnvironment("DOTNET_GCHeapHardLimit", "0x10000000") // 256 MB, as compose limits the containers
                .WithHttpHealthCheck("/health/ready")
                .WaitForCompletion(migrate)
                .WaitFor(mariadb)
                .WaitFor(kafka);
            foreach (var part in redis)
            {
                replica.WaitFor(part);
            }

            if (o.LoadTest)
            {
                foreach (var (name, value) in LoadTestSettings)
                {
                    replica.WithEnvironment(name, value);
                }
            }

            // One at a time: the first seeds the demo data, so two never race to do it on an empty database.
            if (replicas.Count > 0)
            {
                replica.WaitFor(replicas[^1]);
            }

            replicas.Add(replica);
        }

        return [.. replicas];
    }

    /// <summary>What the migration step and every replica are given alike.</summary>
    private sealed record ServiceSettings(TopologyOptions Options, string SigningKey);

    private static IResourceBuilder<ProjectResource> WithServiceSettings(this IResourceBuilder<ProjectResource> app, ServiceSettings settings)
    {
        var o = settings.Options;
        return app
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Production")
            // Aspire turns the framework's forwarded-headers middleware on, trusting any sender: the app has its own,
            // which believes nginx only (Edge__KnownProxies).
            .WithEnvironment("ASPNETCORE_FORWARDEDHEADERS_ENABLED", "false")
            .WithEnvironment("Database__Provider", "MySql")
            .WithEnvironment("ConnectionStrings__coupons", o.MySqlConnectionString)
            .WithEnvironment("Redis__Embedded", "false")
            .WithEnvironment("ConnectionStrings__redis", o.RedisSentinelConfiguration)
            .WithEnvironment("Kafka__Embedded", "false")
            .WithEnvironment("Kafka__ReplicationFactor", o.KafkaBrokers.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Kafka__MinInSyncReplicas", "2")
            .WithEnvironment("Admin__ApiKey", o.AdminApiKey)
            // The committed Topology:AdminApiKey is a published key (Coupons.Admin.PublishedKeys): Production refuses
            // it unless allowed by name. A key given on the command line (bench, drills) needs no allowance.
            .WithEnvironment("Production__AllowDevAdminKey", "true")
            .WithEnvironment("Admin__Keys__0__Id", "oncall-read")
            .WithEnvironment("Admin__Keys__0__Key", o.ReadAdminApiKey)
            .WithEnvironment("Admin__Keys__0__Scope", "Read")
            .WithEnvironment("Edge__KnownProxies__0", "127.0.0.1")
            .WithEnvironment("Auth__Issuer", "coupons-local-topology")
            .WithEnvironment("Auth__Audience", "coupons-api")
            .WithEnvironment("Auth__SigningKeys__0__Id", "topology")
            .WithEnvironment("Auth__SigningKeys__0__Key", settings.SigningKey)
            // The guide's curl (design.md §1: anonymous click for test-user on coupon 11) works here, as in dev mode:
            // both are refused in Production unless allowed, and allowed here by name.
            .WithEnvironment("Seed__DemoData", "true")
            .WithEnvironment("Production__AllowDemoData", "true")
            .WithEnvironment("Auth__AllowAnonymous", "true")
            .WithEnvironment("Production__AllowAnonymousClicks", "true")
            // MariaDB, Redis and the brokers listen in plaintext on this host's loopback: Production refuses plaintext
            // to each unless allowed by name. A real deployment configures TLS instead (README, Configuration).
            .WithEnvironment("Production__AllowPlaintextKafka", "true")
            .WithEnvironment("Production__AllowPlaintextRedis", "true")
            .WithEnvironment("Production__AllowPlaintextMySql", "true");
    }

    /// <summary>
    /// bench/topology.sh: the same relief bench/app.sh gives the single instance it measures against.
    /// </summary>
    private static readonly (string Name, string Value)[] LoadTestSettings =
    [
        ("Edge__ClicksPerClientPerSecond", "10000000"),
        ("Edge__ReadsPerClientPerSecond", "10000000"),
        ("Edge__AdminPerClientPerSecond", "10000000"),
        ("Edge__CheckoutPerClientPerSecond", "10000000"),
        ("Issuance__PerUserPerSecond", "1000"),
        ("Logging__LogLevel__Default", "Warning"),
    ];

    /// <summary>The public listener of replica <paramref name="index"/> (0-based): what nginx proxies to.</summary>
    public static string PublicUrl(TopologyOptions o, int index) => $"http://127.0.0.1:{o.AppPort + index}";

    /// <summary>
    /// The admin listener of replica <paramref name="index"/> (0-based): admin API and /metrics, never behind nginx.
    /// </summary>
    public static string AdminUrl(TopologyOptions o, int index) => $"http://127.0.0.1:{o.AdminPort + index}";
}
