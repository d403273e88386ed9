using System.Diagnostics;

namespace Coupons.IntegrationTests.Infrastructure;

/// <summary>
/// Breaks and heals the real test stack through <c>scripts/test-infra.sh</c>: the same commands a drill uses.
/// </summary>
public static class StackControl
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static Task StopRedisAsync() => RunAsync("redis-stop");

    /// <summary>Starts redis-server again; it has no persistence, so it comes back empty.</summary>
    public static Task StartRedisAsync() => RunAsync("redis-start");

    /// <summary>
    /// SAVE now and keep it as <paramref name="name"/>: what an RDB or AOF restore would later bring back.
    /// </summary>
    public static Task SnapshotRedisAsync(string name) => RunAsync("redis-snapshot", name);

    /// <summary>
    /// Kills redis-server and starts it from snapshot <paramref name="name"/>: up, not empty, and stale.
    /// </summary>
    public static Task RestartRedisFromSnapshotAsync(string name) => RunAsync("redis-restart-from", name);

    public static Task StopMySqlAsync() => RunAsync("mysql-stop");

    public static Task StartMySqlAsync() => RunAsync("mysql-start");

    public static Task KafkaAsync(string command) => RunAsync("kafka", command);

    /// <summary>
    /// A Redis primary and replica (AOF everysec) behind three sentinels: <see cref="TestStack.RedisSentinel"/>.
    /// </summary>
    public static Task StartRedisSentinelSetAsync() => RunAsync("sentinel-start");

    /// <summary>kill -9 of whichever server is primary now; the sentinels promote the replica.</summary>
    public static Task KillRedisPrimaryAsync() => RunAsync("sentinel-kill-primary");

    public static Task StopRedisSentinelSetAsync() => RunAsync("sentinel-stop");

    private static async Task RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoRoot };
        start.ArgumentList.Add(Path.Combine(RepoRoot, "scripts", "test-infra.sh"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 0, $"test-infra.sh {string.Join(' ', args)} failed: {await stdout} {await stderr}");
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "test-infra.sh")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (with scripts/test-infra.sh) not found above " + AppContext.BaseDirectory);
    }
}
