namespace Coupons.AppHost;

/// <summary>
/// Where each part of the local production topology listens, and where it keeps its data. Every port is unusual and
/// configurable (<c>--Topology:MariaDbPort=...</c> or <c>Topology__MariaDbPort</c>) so it leaves a developer's own
/// services and the test stack alone; nginx takes the guide's :8081 (design.md §1).
/// </summary>
public sealed class TopologyOptions
{
    public const string Section = "Topology";

    /// <summary>
    /// Data, configs rendered from deploy/ and HOME for the processes; relative paths are under the repository root.
    /// </summary>
    public string StateDirectory { get; set; } = ".topology";

    public int NginxPort { get; set; } = 8081;

    /// <summary>Public port of replica 1; replica 2 takes the next one.</summary>
    public int AppPort { get; set; } = 18181;

    /// <summary>Admin listener (admin API, /metrics) of replica 1; replica 2 takes the next one.</summary>
    public int AdminPort { get; set; } = 19181;

    public int MariaDbPort { get; set; } = 13316;

    /// <summary>The Redis primary at start; the replica takes the next port.</summary>
    public int RedisPort { get; set; } = 16391;

    /// <summary>The first of three sentinels.</summary>
    public int SentinelPort { get; set; } = 26491;

    public int KafkaControlPort { get; set; } = 19391;

    public int PrometheusPort { get; set; } = 19390;

    public int AlertmanagerPort { get; set; } = 19393;

    public int AlertReceiverPort { get; set; } = 19394;

    /// <summary>
    /// Local-topology default, not a secret (it only ever guards loopback ports on a developer's machine).
    /// </summary>
    public string AdminApiKey { get; set; } = "";

    /// <summary>
    /// A second admin key with the read scope (<c>oncall-read</c> in the audit): what <c>couponctl status</c> and
    /// <c>collect</c> need, and nothing that acts. Written with <see cref="AdminApiKey"/> to
    /// <c>.topology/couponctl/</c>.
    /// </summary>
    public string ReadAdminApiKey { get; set; } = "";

    /// <summary>
    /// For bench/topology.sh only: the per-address limits (nginx's and the app's) let one load generator through, and
    /// the replicas log warnings only. Everything else stays as deployed.
    /// </summary>
    public bool LoadTest { get; set; }

    public const string SentinelService = "coupons";
    public const string DatabaseName = "coupons";
    /// <summary>The replicas' MariaDB user: reads and writes rows (SELECT, INSERT, UPDATE, DELETE), never the
    /// schema.</summary>
    public const string DatabaseUser = "coupons";

    /// <summary>Local-topology default, not a secret: MariaDB listens on loopback only.</summary>
    public const string DatabasePassword = "coupons-local-topology";

    /// <summary>The migration step's MariaDB user: every right on the service's database, used by <c>--migrate</c>
    /// only.</summary>
    public const string MigratorUser = "coupons_migrator";

    /// <summary>Local-topology default, not a secret (as <see cref="DatabasePassword"/>).</summary>
    public const string MigratorPassword = "coupons-migrator-local-topology";

    /// <summary>The on-call's read-only MariaDB user (couponctl): SELECT and PROCESS, nothing that writes.</summary>
    public const string OpsUser = "couponctl";

    /// <summary>Local-topology default, not a secret (as <see cref="DatabasePassword"/>).</summary>
    public const string OpsPassword = "couponctl-local-topology";

    public int AppReplicas => 2;

    public int KafkaBrokers => 3;

    public IEnumerable<int> SentinelPorts => Enumerable.Range(SentinelPort, 3);

    public string MySqlConnectionString =>
        $"Server=127.0.0.1;Port={MariaDbPort};Database={DatabaseName};User ID={DatabaseUser};Password={DatabasePassword};Maximum Pool Size=100";

    public string MigratorConnectionString =>
        $"Server=127.0.0.1;Port={MariaDbPort};Database={DatabaseName};User ID={MigratorUser};Password={MigratorPassword}";

    public string RedisSentinelConfiguration =>
        string.Join(",", SentinelPorts.Select(p => $"127.0.0.1:{p}")) + $",serviceName={SentinelService}";
}
