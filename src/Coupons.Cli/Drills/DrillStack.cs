using System.Diagnostics;
using StackExchange.Redis;

namespace Coupons.Cli.Drills;

/// <summary>
/// Where a drill breaks things: the test stack (<c>scripts/test-infra.sh</c>'s processes) or the local production
/// topology (the AppHost). Both are plain processes on loopback ports, so a fault is a signal to the process that
/// listens on a port, a command to the Kafka mock's control port, or the test stack's own script.
/// Ports come from the environment (COUPONCTL_MYSQL_PORT, COUPONCTL_REDIS_PORTS, COUPONCTL_KAFKA_CONTROL,
/// COUPONCTL_APP_PORTS; lists comma separated) or the stack's defaults.
/// </summary>
public sealed record DrillStack(string Name, string? Repo, int MySqlPort, IReadOnlyList<int> RedisPorts, string KafkaControl, IReadOnlyList<int> AppPorts)
{
    private const long MemoryCapBytes = 256L * 1024 * 1024;

    /// <summary>The test stack, with the app under test on <paramref name="app"/>'s port.</summary>
    public static DrillStack Test(string repo, Uri app) => new(
        "test",
        repo,
        Port("COUPONCTL_MYSQL_PORT", 3317),
        Ports("COUPONCTL_REDIS_PORTS", [6390]),
        Environment.GetEnvironmentVariable("COUPONCTL_KAFKA_CONTROL") ?? Environment.GetEnvironmentVariable("COUPONS_TEST_KAFKA_CONTROL") ?? "127.0.0.1:19093",
        Ports("COUPONCTL_APP_PORTS", [app.Port]));

    /// <summary>The AppHost's defaults (src/Coupons.AppHost/TopologyOptions.cs).</summary>
    public static DrillStack Topology() => new(
        "topology",
        null,
        Port("COUPONCTL_MYSQL_PORT", 13316),
        Ports("COUPONCTL_REDIS_PORTS", [16391, 16392]),
        Environment.GetEnvironmentVariable("COUPONCTL_KAFKA_CONTROL") ?? "127.0.0.1:19391",
        Ports("COUPONCTL_APP_PORTS", [18181, 18182]));

    public Fault For(DrillScenario scenario) => scenario.Name switch
    {
        "redis-down" when Name == "test" => new Fault(
            $"redis-server on :{RedisPorts[0]} shut down (scripts/test-infra.sh redis-stop), started again empty",
            ct => ScriptAsync(ct, "redis-stop"), ct => ScriptAsync(ct, "redis-start")),
        "redis-down" => Frozen($"every Redis server (:{string.Join(", :", RedisPorts)})", RedisPorts),
        "mysql-partition" => Frozen($"mariadbd on :{MySqlPort}", [MySqlPort]),
        "kafka-down" => new Fault(
            $"every broker of the Kafka mock down ({KafkaControl}: 'down all', then 'up all')",
            ct => KafkaMockControl.SendAsync(KafkaControl, "down all", ct), ct => KafkaMockControl.SendAsync(KafkaControl, "up all", ct)),
        "memory-256m" => Capped(AppPorts[0]),
        "app-kill" => new Fault(
            $"the replica on :{AppPorts[0]} killed with SIGKILL; it stays down until restarted (the dashboard's Start, or the orchestrator)",
            _ => Task.Run(() => ListeningProcess.Kill(AppPorts[0])), Fault.Nothing),
        "redis-failover" => new Fault(
            $"the Redis primary among :{string.Join(", :", RedisPorts)} killed with SIGKILL; the sentinels promote the replica, the old primary stays down",
            KillRedisPrimaryAsync, Fault.Nothing),
        "apm-down" => new Fault(
            "the Aspire dashboard (the OTLP endpoint and APM) killed with SIGKILL; it stays down",
            _ => Task.Run(KillDashboard), Fault.Nothing),
        _ => throw new ArgumentException($"no drill '{scenario.Name}'"),
    };

    private static Fault Frozen(string what, IReadOnlyList<int> ports)
    {
        var pids = new List<int>();
        return new Fault(
            $"{what} frozen with SIGSTOP (connections hang, nothing answers), thawed with SIGCONT",
            _ =>
            {
                pids.AddRange(ports.Select(ListeningProcess.Find));
                pids.ForEach(ProcessSignals.Freeze);
                return Task.CompletedTask;
            },
            _ =>
            {
                pids.ForEach(ProcessSignals.Thaw);
                return Task.CompletedTask;
            });
    }

    private static Fault Capped(int appPort)
    {
        MemoryCap? cap = null;
        return new Fault(
            $"the replica on :{appPort} moved into a memory cgroup capped at 256 MB (docker update --memory 256m), moved back after",
            ct => (cap = new MemoryCap(ListeningProcess.Find(appPort), MemoryCapBytes)).ApplyAsync(ct),
            ct => cap?.RemoveAsync(ct) ?? Task.CompletedTask);
    }

    private async Task KillRedisPrimaryAsync(CancellationToken ct)
    {
        foreach (var port in RedisPorts)
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},connectTimeout=2000,allowAdmin=true");
            if (redis.GetServer("127.0.0.1", port).Role() is Role.Master)
            {
                ListeningProcess.Kill(port);
                return;
            }
        }

        throw new InvalidOperationException($"no Redis primary among :{string.Join(", :", RedisPorts)}");
    }

    private static void KillDashboard()
    {
        var dashboards = Process.GetProcesses().Where(p => CommandLine(p.Id).Contains("Aspire.Dashboard", StringComparison.Ordinal)).ToList();
        if (dashboards.Count == 0)
        {
            throw new InvalidOperationException("no Aspire dashboard process found");
        }

        dashboards.ForEach(p => ProcessSignals.KillHard(p.Id));
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    private async Task ScriptAsync(CancellationToken ct, params string[] args)
    {
        var script = Path.Combine(Repo ?? throw new InvalidOperationException("the test stack's drills need --repo"), "scripts", "test-infra.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo };
        start.ArgumentList.Add(script);
        args.ToList().ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(60), ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"test-infra.sh {string.Join(' ', args)} failed: {await output} {await errors}");
        }
    }

    private static int Port(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), out var port) ? port : fallback;

    private static IReadOnlyList<int> Ports(string variable, IReadOnlyList<int> fallback) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } list ? [.. list.Split(',').Select(int.Parse)] : fallback;
}
