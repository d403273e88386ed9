using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Coupons.Cli;
using Coupons.Cli.Collect;
using Coupons.IntegrationTests.Faults;

namespace Coupons.IntegrationTests.Ops;

/// <summary><c>couponctl collect</c> against a real app process on the test stack: every part of the bundle, no secret in it.</summary>
[Collection(FaultCollection.Name)]
public sealed class CouponctlCollectTests
{
    private static readonly string[] Parts =
    [
        "app/health.json", "app/metrics.txt", "app/config.json", "app/dead-letters.json", "process/runtime.txt", "process/threads.txt",
        "mysql/processlist.tsv", "mysql/innodb-status.txt", "redis/info.txt", "redis/slowlog.txt", "kafka/consumer-group.txt", "manifest.json",
    ];

    [Fact]
    public async Task Collect_writes_every_part_of_the_bundle_and_no_secret()
    {
        await using var stack = await PrivateStack.CreateAsync();
        await using var app = await AppProcess.StartAsync(FreeTcpPort.Find(), stack.AppSettings, "couponctl-collect");
        var target = new Uri($"http://127.0.0.1:{app.Port}");
        var path = Path.Combine(StackControl.RepoRoot, ".test-infra", $"bundle-{Guid.NewGuid():N}.zip");
        try
        {
            var parts = await CollectCommand.WriteAsync(path, new CollectSources(
                new Targets(target, target, TestStack.AdminKey, null), app.Pid, stack.MySql, TestStack.Redis, TestStack.Kafka, [app.LogPath]), CancellationToken.None);

            Assert.All(parts, p => Assert.True(p.Collected, $"{p.File}: {p.Note}"));
            using var zip = ZipFile.OpenRead(path);
            var entries = zip.Entries.ToDictionary(e => e.FullName, Read);
            Assert.All(Parts, part => Assert.Contains(part, entries.Keys));
            Assert.Contains($"logs/{Path.GetFileName(app.LogPath)}", entries.Keys);

            // Each part holds what it says.
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
            Assert.Contains("Password=***", config["Database:ConnectionString"], StringComparison.Ordinal);
            Assert.Equal(TestStack.Kafka, config["Kafka:BootstrapServers"]);

            // No secret anywhere.
            string[] secrets = [TestStack.AdminKey, "coupons-local-test", TestTokens.Current.Key, TestTokens.Previous.Key];
            foreach (var (name, text) in entries)
            {
                Assert.All(secrets, secret => Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{name} holds a secret"));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Every entry as text (Latin-1 keeps each byte, so an ASCII secret in a binary dump is still found).</summary>
    private static string Read(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var reader = new StreamReader(stream, Encoding.Latin1);
        return reader.ReadToEnd();
    }
}
