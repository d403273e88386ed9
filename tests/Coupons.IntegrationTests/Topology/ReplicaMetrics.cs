using System.Globalization;

namespace Coupons.IntegrationTests.Topology;

/// <summary>Prometheus series read off each replica's /metrics (its admin listener), as Prometheus scrapes them.</summary>
public static class ReplicaMetrics
{
    /// <summary>The metric summed over its series, per replica (replica 1 first).</summary>
    public static async Task<IReadOnlyList<double>> PerReplicaAsync(TopologyFixture topology, string metric)
    {
        var values = new List<double>();
        for (var replica = 0; replica < 2; replica++)
        {
            var text = await topology.AdminClient(replica).GetStringAsync("/metrics");
            values.Add(text.Split('\n')
                .Where(line => line.StartsWith(metric, StringComparison.Ordinal) && (line.Length == metric.Length || line[metric.Length] is ' ' or '{'))
                .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)));
        }

        return values;
    }

    public static async Task<double> SumAsync(TopologyFixture topology, string metric) => (await PerReplicaAsync(topology, metric)).Sum();
}
