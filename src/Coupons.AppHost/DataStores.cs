using System.Diagnostics;

namespace Coupons.AppHost;

/// <summary>MariaDB with binlog, Redis primary + replica + three Sentinels, and the three-broker Kafka mock.</summary>
public static class DataStores
{
    public const string RequestTopic = "coupon.issue.requested";
    public const string DeadLetterTopic = "coupon.issue.requested.dlq";
    public const string EventsTopic = "coupon.events";
    public const int TopicPartitions = 4;

    /// <summary>
    /// MariaDB with the binary log on (ROW), so a backup plus the binlog restores to any moment (PITR).
    /// </summary>
    public static IResourceBuilder<ExecutableResource> AddMariaDb(this IDistributedApplicationBuilder builder, Topology topology)
    {
        var dir = topology.State("mariadb");
        var data = Path.Combine(dir, "data");
        var binlogs = topology.State("mariadb", "binlog");
        InitializeDataDirectory(data);

        // Runs at every start: the app's database and users exist whatever state the data directory is in. The
        // replicas' user may read and write rows only (a state folder from before versioned migrations gave it every
        // right: taken back); the migration step's user may change the schema; the on-call's user reads (couponctl:
        // SELECT for the drills' checks, PROCESS for the processlist and InnoDB status).
        var initFile = Path.Combine(dir, "init.sql");
        File.WriteAllText(initFile, $"""
            CREATE DATABASE IF NOT EXISTS {TopologyOptions.DatabaseName} CHARACTER SET utf8mb4;
            CREATE USER IF NOT EXISTS '{TopologyOptions.DatabaseUser}'@'127.0.0.1' IDENTIFIED BY '{TopologyOptions.DatabasePassword}';
            REVOKE ALL PRIVILEGES, GRANT OPTION FROM '{TopologyOptions.DatabaseUser}'@'127.0.0.1';
            GRANT SELECT, INSERT, UPDATE, DELETE ON {TopologyOptions.DatabaseName}.* TO '{TopologyOptions.DatabaseUser}'@'127.0.0.1';
            CREATE USER IF NOT EXISTS '{TopologyOptions.MigratorUser}'@'127.0.0.1' IDENTIFIED BY '{TopologyOptions.MigratorPassword}';
            GRANT ALL PRIVILEGES ON {TopologyOptions.DatabaseName}.* TO '{TopologyOptions.MigratorUser}'@'127.0.0.1';
            CREATE USER IF NOT EXISTS '{TopologyOptions.OpsUser}'@'127.0.0.1' IDENTIFIED BY '{TopologyOptions.OpsPassword}';
            GRANT SELECT, PROCESS ON *.* TO '{TopologyOptions.OpsUser}'@'127.0.0.1';
            """);

        return builder.AddExecutable("mariadb", Binary("mariadbd"), dir,
                "--no-defaults", "--user=root", $"--datadir={data}", $"--port={topology.Options.MariaDbPort}", "--bind-address=127.0.0.1",
                $"--socket={Path.Combine(dir, "mariadb.sock")}", $"--pid-file={Path.Combine(dir, "mariadb.pid")}",
                $"--log-bin={Path.Combine(binlogs, "mariadb-bin")}", "--server-id=1", "--binlog-format=ROW",
                $"--init-file={initFile}", "--max-connections=500", "--innodb-buffer-pool-size=256M")
            .WithTcpHealthCheck(topology.Options.MariaDbPort);
    }

    /// <summary>
    /// A primary and a replica, both AOF everysec (as compose runs Redis), and three sentinels (quorum 2) that promote
    /// the replica 2 s after the primary stops answering. Sentinel configs are written fresh at every start (sentinels
    /// rewrite them on failover): the topology starts with redis-1 as primary.
    /// </summary>
    public static IResourceBuilder<ExecutableResource>[] AddRedisWithSentinels(this IDistributedApplicationBuilder builder, Topology topology)
    {
        var o = topology.Options;
        var primaryPort = o.RedisPort;
        IResourceBuilder<ExecutableResource> Server(int number, params string[] extra)
        {
            var port = primaryPort + number - 1;
            return builder.AddExecutable($"redis-{number}", "redis-server", topology.State("redis"),
                    ["--port", $"{port}", "--bind", "127.0.0.1", "--dir", topology.State("redis", $"{number}"),
                     "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
                     "--maxmemory", "256mb", "--maxmemory-policy", "noeviction", .. extra])
                .WithTcpHealthCheck(port);
        }

        var primary = Server(1);
        var replica = Server(2, "--replicaof", "127.0.0.1", $"{primaryPort}").WaitFor(primary);
        var sentinels = o.SentinelPorts.Select((port, i) =>
        {
            var dir = topology.State("sentinel", $"{i + 1}");
            var config = Path.Combine(dir, "sentinel.conf");
            File.WriteAllText(config, $"""
                port {port}
                bind 127.0.0.1
                dir {dir}
                sentinel monitor {TopologyOptions.SentinelService} 127.0.0.1 {primaryPort} 2
                sentinel down-after-milliseconds {TopologyOptions.SentinelService} 2000
                sentinel failover-timeout {TopologyOptions.SentinelService} 10000
                sentinel parallel-syncs {TopologyOptions.SentinelService} 1
                """ + "\n");
            return builder.AddExecutable($"sentinel-{i + 1}", "redis-server", dir, config, "--sentinel")
                .WithTcpHealthCheck(port)
                .WaitFor(primary)
                .WaitFor(replica);
        });
        return [primary, replica, .. sentinels];
    }

    /// <summary>
    /// The librdkafka mock cluster with three brokers; both topics replicated three times. Its brokers listen on ports
    /// of their own choosing, written to a file the app replicas read when they start.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddKafkaBrokers(this IDistributedApplicationBuilder builder, Topology topology, out string bootstrapFile)
    {
        bootstrapFile = Path.Combine(topology.State("kafka"), "bootstrap");
        File.Delete(bootstrapFile); // a file from the last run names ports nobody listens on now
        return builder.AddProject<Projects.Coupons_KafkaMockHost>("kafka", launchProfileName: null)
            .WithArgs("--brokers", $"{topology.Options.KafkaBrokers}", "--replication-factor", $"{topology.Options.KafkaBrokers}",
                "--control-port", $"{topology.Options.KafkaControlPort}", "--bootstrap-file", bootstrapFile,
                "--topic", $"{RequestTopic}:{TopicPartitions}", "--topic", $"{DeadLetterTopic}:{TopicPartitions}",
                "--topic", $"{EventsTopic}:{TopicPartitions}")
            .WithFileHealthCheck(bootstrapFile);
    }

    /// <summary>Debian puts server binaries in /usr/sbin, which is not on every PATH.</summary>
    public static string Binary(string name) => File.Exists($"/usr/sbin/{name}") ? $"/usr/sbin/{name}" : name;

    private static void InitializeDataDirectory(string data)
    {
        if (Directory.Exists(Path.Combine(data, "mysql")))
        {
            return;
        }

        Directory.CreateDirectory(data);
        using var install = Process.Start(new ProcessStartInfo("mariadb-install-db",
            ["--no-defaults", $"--datadir={data}", "--user=root", "--auth-root-authentication-method=socket"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("mariadb-install-db did not start (run scripts/install-topology.sh)");
        var errors = install.StandardError.ReadToEndAsync();
        install.StandardOutput.ReadToEnd();
        install.WaitForExit();
        if (install.ExitCode != 0)
        {
            throw new InvalidOperationException($"mariadb-install-db failed: {errors.Result}");
        }
    }
}
