using System.Text.RegularExpressions;
using Coupons.Infrastructure.Edge;
using Coupons.Issuance;
using YamlDotNet.RepresentationModel;

namespace Coupons.UnitTests.Edge;

/// <summary>
/// The limits that let a sale's opening spike in (issue 24, item 6: 0 -> 10,000 connections in 5 s, straight and
/// through nginx, without a refused, reset or timed-out connection) and keep a replica alive when more come than its
/// heap holds (a connection limit that follows the heap), as the project's own files set them. The bench
/// proves the spike (bench/Coupons.Bench --only spike); this keeps a later edit from lowering one of them unseen.
/// </summary>
public sealed partial class SpikeLimitsTests
{
    private const int SpikeConnections = 10_000;

    [Fact]
    public void An_nginx_worker_can_hold_the_whole_spike_with_an_upstream_connection_each()
    {
        var config = File.ReadAllText(RepositoryFiles.Path("deploy", "nginx.conf"));
        var workerConnections = Directive(config, "worker_connections");
        var workerFiles = Directive(config, "worker_rlimit_nofile");

        Assert.True(workerConnections >= 2 * SpikeConnections, $"worker_connections {workerConnections} < 2 x {SpikeConnections}");
        // Its listen backlog holds a second of a 2,000-a-second ramp (nginx's default 511 overflowed: SYN cookies).
        var backlog = Regex.Match(config, @"^\s*listen 8081 backlog=(\d+);", RegexOptions.Multiline);
        Assert.True(backlog.Success && int.Parse(backlog.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= SpikeConnections / 5,
            "nginx listens on 8081 with a backlog below a second of the spike");
        Assert.True(workerFiles >= workerConnections, $"worker_rlimit_nofile {workerFiles} < worker_connections {workerConnections}");
        Assert.True(ComposeFileLimit("ecommerce-app") >= workerFiles, "nginx's container limits its files below worker_rlimit_nofile");

        // worker_processes auto: a worker per host core (16 assumed), each with its connection slots (~430 B each)
        // allocated at start, and the spike's requests in flight (~16 KB each) on top.
        var needed = (16L * workerConnections * 512) + (SpikeConnections * 16L * 1024);
        Assert.True(ComposeMemoryLimit("ecommerce-app") >= needed, $"nginx's container memory is below {needed / (1024 * 1024)} MiB");
    }

    [Fact]
    public void The_replicas_hold_the_spike_within_their_heap_and_have_the_files_for_it()
    {
        var edge = new EdgeOptions();
        Assert.Null(edge.MaxConnections); // unset: it follows the heap (ConnectionsFor)
        // The compose replica's heap (DOTNET_GCHeapHardLimit 256 MB): the spike through nginx is split over two.
        var perReplica = EdgeOptions.ConnectionsFor(256L * 1024 * 1024);
        Assert.True(2 * perReplica >= SpikeConnections * 11 / 10, $"two replicas hold {2 * perReplica} connections");
        // A second of a 2,000-a-second ramp waits in the kernel while a GC pause or busy core holds Kestrel's accepts.
        Assert.True(edge.ListenBacklog >= SpikeConnections / 5, $"Edge:ListenBacklog {edge.ListenBacklog}");
        Assert.True(ComposeFileLimit("ecommerce-app-1") > EdgeOptions.ConnectionsFor(long.MaxValue), "a replica's file limit is below its most connections");
        Assert.True(ComposeFileLimit("ecommerce-app-2") > EdgeOptions.ConnectionsFor(long.MaxValue), "a replica's file limit is below its most connections");
    }

    /// <summary>
    /// 20,000 connections killed an instance under a 256 MB heap (OutOfMemory), 10,000 did not; 12,000 killed one
    /// under 128 MB (ProcessFaultTests), and so did its first limits (16 KB, then 24 KB a connection in 60 % of the
    /// whole heap: 4,915 and 3,276). The limit stays below what killed them, and grows with the heap.
    /// </summary>
    [Theory]
    [InlineData(128, 2_457)]
    [InlineData(192, 4_095)]
    [InlineData(256, 5_734)]
    [InlineData(384, 9_011)]
    [InlineData(8 * 1024, 50_000)]
    [InlineData(64, 1_000)]
    [InlineData(8, 1_000)]
    public void The_connection_limit_follows_the_heap(long heapMiB, int connections) =>
        Assert.Equal(connections, EdgeOptions.ConnectionsFor(heapMiB * 1024 * 1024));

    [Fact]
    public void Every_click_of_the_spike_waits_in_the_bulkhead_rather_than_being_refused()
    {
        var issuance = new IssuanceOptions();
        Assert.True(issuance.MaxConcurrentRequests + issuance.MaxQueuedRequests >= EdgeOptions.ConnectionsFor(256L * 1024 * 1024),
            $"the click bulkhead holds {issuance.MaxConcurrentRequests} + {issuance.MaxQueuedRequests}");
    }

    [Fact]
    public void No_shipped_setting_lowers_a_default_the_spike_needs()
    {
        foreach (var file in Directory.GetFiles(RepositoryFiles.Path("src", "Coupons.Api"), "appsettings*.json"))
        {
            var text = File.ReadAllText(file);
            foreach (var name in new[] { "MaxConnections", "ListenBacklog", "MaxConcurrentRequests", "MaxQueuedRequests" })
            {
                Assert.DoesNotContain($"\"{name}\"", text);
            }
        }
    }

    private static int Directive(string config, string name) =>
        int.Parse(Regex.Match(config, $@"^\s*(?:events\s*\{{\s*)?{name}\s+(\d+);", RegexOptions.Multiline) is { Success: true } m
            ? m.Groups[1].Value
            : throw new Xunit.Sdk.XunitException($"deploy/nginx.conf sets no {name}"), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The soft nofile limit docker-compose gives <paramref name="service"/> (merge keys resolved).</summary>
    private static int ComposeFileLimit(string service)
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(RepositoryFiles.Path("deploy", "docker-compose.yml")))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var node = (YamlMappingNode)((YamlMappingNode)root["services"])[service];
        var ulimits = Find(node, "ulimits") ?? throw new Xunit.Sdk.XunitException($"{service} sets no ulimits");
        var files = (YamlMappingNode)((YamlMappingNode)ulimits)["nofile"];
        return int.Parse(((YamlScalarNode)files["soft"]).Value!, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The memory limit docker-compose gives <paramref name="service"/> (its deploy limits).</summary>
    private static long ComposeMemoryLimit(string service)
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(RepositoryFiles.Path("deploy", "docker-compose.yml")))
        {
            yaml.Load(reader);
        }

        var node = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"])[service];
        var limits = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)Find(node, "deploy")!)["resources"])["limits"];
        var text = ((YamlScalarNode)limits["memory"]).Value!;
        var unit = char.ToUpperInvariant(text[^1]) switch { 'K' => 1024L, 'M' => 1024L * 1024, 'G' => 1024L * 1024 * 1024, _ => 1L };
        return long.Parse(unit == 1 ? text : text[..^1], System.Globalization.CultureInfo.InvariantCulture) * unit;
    }

    /// <summary>A key of a service, or of the anchor it merges in (<c>&lt;&lt;: *app</c>).</summary>
    private static YamlNode? Find(YamlMappingNode node, string key)
    {
        if (node.Children.TryGetValue(new YamlScalarNode(key), out var value))
        {
            return value;
        }

        return node.Children.TryGetValue(new YamlScalarNode("<<"), out var merged) && merged is YamlMappingNode parent ? Find(parent, key) : null;
    }
}
