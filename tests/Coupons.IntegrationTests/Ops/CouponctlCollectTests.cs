using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Coupons.Cli;
using Coupons.Cli.Collect;
using Coupons.IntegrationTests.Faults;
using MySqlConnector;
using StackExchange.Redis;

namespace Coupons.IntegrationTests.Ops;

/// <summary>
/// <c>couponctl collect</c> against a real app process on the test stack: every part of the bundle, and no secret in
/// it, including secrets planted where other people leave them (issue 27 item 7): a log line, a DBA's statement in
/// MariaDB's processlist, a value in Redis's slow log.
/// </summary>
[Trait("Category", "Ops")]
[Collection(FaultCollection.Name)]
public sealed class CouponctlCollectTests
{
    private static readonly string[] Parts =
    [
        "app/info.json", "app/health.json", "app/metrics.txt", "app/config.json", "app/dead-letters.json", "process/runtime.txt", "process/threads.txt",
        "mysql/processlist.tsv", "mysql/innodb-status.txt", "redis/info.txt", "redis/slowlog.txt", "kafka/consumer-group.txt", "manifest.json",
    ];

    [Fact]
    public async Task Collect_writes_every_part_of_the_bundle_and_no_secret()
    {
        await using var stack = await PrivateStack.CreateAsync();
        await using var app = await AppProcess.StartAsync(FreeTcpPort.Find(), stack.AppSettings, "couponctl-collect");
        var target = new Uri($"http://127.0.0.1:{app.Port}");
        var path = Path.Combine(StackControl.RepoRoot, ".test-infra", $"bundle-{Guid.NewGuid():N}.zip");
        var plantedLog = Path.Combine(StackControl.RepoRoot, ".test-infra", $"planted-{Guid.NewGuid():N}.log");
        await File.WriteAllLinesAsync(plantedLog, [
            $"curl -H 'X-Admin-Key: {TestStack.AdminKey}' {target}api/admin/reconcile",
            "Authorization: Bearer planted-bearer-token",
            "mirror https://planted-user:planted-url-password@registry.internal/",
            "ticket from Jane.Doe@shop.example.com",
        ]);
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"{TestStack.Redis},allowAdmin=true");
        var server = redis.GetServers()[0];
        // A command that is slow (a 20 ms busy loop) and carries a secret as a value: it lands in the slow log among
        // the few commands slower than 10 ms (making every command "slow" instead scrolls it out of the newest 128
        // under the other apps' traffic, as clean clone D showed).
        await server.ExecuteAsync("CONFIG", "SET", "slowlog-log-slower-than", "10000");
        await redis.GetDatabase().ScriptEvaluateAsync(
            "local s = redis.call('TIME') repeat local n = redis.call('TIME') until (n[1] - s[1]) * 1000000 + (n[2] - s[2]) > 20000 return ARGV[1]",
            [(RedisKey)$"planted:{Guid.NewGuid():N}"], ["planted-redis-value"]);
        await using var dba = new MySqlConnection(stack.MySql);
        await dba.OpenAsync();
        using var stopDba = new CancellationTokenSource();
        var dbaSession = new MySqlCommand("SELECT SLEEP(30) AS `ALTER USER app IDENTIFIED BY 'planted-dba-secret'`", dba).ExecuteScalarAsync(stopDba.Token);
        try
        {
            await Eventually.TrueAsync(async () => (await StoreSources.ProcesslistAsync(stack.MySql)).Contains("planted-dba-secret", StringComparison.Ordinal),
                TimeSpan.FromSeconds(10), "the planted statement never showed in the processlist");
            var parts = await CollectCommand.WriteAsync(path, new CollectSources(
                new Targets(target, target, TestStack.AdminKey, null), app.Pid, stack.MySql, TestStack.Redis, TestStack.Kafka, [app.LogPath, plantedLog]), CancellationToken.None);

            Assert.All(parts, p => Assert.True(p.Collected, $"{p.File}: {p.Note}"));
            using var zip = ZipFile.OpenRead(path);
            var entries = zip.Entries.ToDictionary(e => e.FullName, Read);
            Assert.All(Parts, part => Assert.Contains(part, entries.Keys));
            Assert.Contains($"logs/{Path.GetFileName(app.LogPath)}", entries.Keys);

            // Each part holds what it says.
            Assert.Contains($"\"version\": \"{Coupons.Ops.BuildInfo.Version}\"", entries["app/info.json"], StringComparison.Ordinal);
            Assert.Contains($"\"couponctl\": \"{CliVersion.Current}\"", entries["manifest.json"], StringComparison.Ordinal);
            Assert.Contains("\"status\"", entries["app/health.json"], StringComparison.Ordinal);
            Assert.Contains("coupons_dependency_up", entries["app/metrics.txt"], StringComparison.Ordinal);
            Assert.Contains("Threads:", entries["process/runtime.txt"], StringComparison.Ordinal);
            var threads = entries["process/threads.txt"];
            Assert.True(threads.Contains("Program.<Main>", StringComparison.Ordinal) && threads.Contains("PortableThreadPool", StringComparison.Ordinal),
                threads[..Math.Min(3000, threads.Length)]); // the main thread waiting for the host, the pool's workers
            Assert.DoesNotContain(entries.Keys, k => k.EndsWith(".dmp", StringComparison.Ordinal));
            Assert.Contains("SHOW FULL PROCESSLIST", entries["mysql/processlist.tsv"], StringComparison.Ordinal);
            Assert.Contains("BUFFER POOL AND MEMORY", entries["mysql/innodb-status.txt"], StringComparison.Ordinal);
            Assert.Contains("redis_version:", entries["redis/info.txt"], StringComparison.Ordinal);
            Assert.Contains(stack.AppSettings["Kafka:ConsumerGroup"], entries["kafka/consumer-group.txt"], StringComparison.Ordinal);
            Assert.Contains("\"count\"", entries["app/dead-letters.json"], StringComparison.Ordinal);
            var config = JsonSerializer.Deserialize<Dictionary<string, string>>(entries["app/config.json"])!;
            Assert.Equal("***", config["Admin:ApiKey"]);
            Assert.Contains("Password=***", config["ConnectionStrings:coupons"], StringComparison.Ordinal);
            Assert.Equal(TestStack.Kafka, config["ConnectionStrings:kafka"]);

            // The planted secrets were collected, and masked.
            Assert.Contains("IDENTIFIED BY '***'", entries["mysql/processlist.tsv"], StringComparison.Ordinal);
            Assert.Matches(@"EVAL(SHA)? .* \(\+3 arguments not shown\)", entries["redis/slowlog.txt"]); // the command and script, never the values
            var planted = entries[$"logs/{Path.GetFileName(plantedLog)}"];
            Assert.Contains("X-Admin-Key: ***", planted, StringComparison.Ordinal);
            Assert.Contains("<email>", planted, StringComparison.Ordinal);

            // No secret anywhere.
            string[] secrets = [TestStack.AdminKey, "coupons-local-test", TestTokens.Current.Key, TestTokens.Previous.Key,
                "planted-dba-secret", "planted-redis-value", "planted-bearer-token", "planted-url-password", "Jane.Doe@shop.example.com"];
            foreach (var (name, text) in entries)
            {
                Assert.All(secrets, secret => Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{name} holds a secret"));
            }
        }
        finally
        {
            await server.ExecuteAsync("CONFIG", "SET", "slowlog-log-slower-than", "10000");
            await stopDba.CancelAsync();
            await Task.WhenAny(dbaSession, Task.Delay(TimeSpan.FromSeconds(5)));
            File.Delete(path);
            File.Delete(plantedLog);
        }
    }

    /// <summary>
    /// Every entry as text (Latin-1 keeps each byte, so an ASCII secret in a binary dump is still found).
    /// </summary>
    private static string Read(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var reader = new StreamReader(stream, Encoding.Latin1);
        return reader.ReadToEnd();
    }
}
