using Coupons.Cli;

namespace Coupons.IntegrationTests.Topology;

/// <summary>Prometheus series read off each replica's /metrics (its admin listener), with couponctl's parser.</summary>
public static class ReplicaMetrics
{
    /// <summary>The metric summed over its series, per replica (replica 1 first).</summary>
    public static async Task<IReadOnlyList<double>> PerReplicaAsync(TopologyFixture topology, string metric, Func<Sample, bool>? where = null)
    {
        var values = new List<double>();
        for (var replica = 0; replica < 2; replica++)
        {
            var samples = PrometheusText.Parse(await topology.AdminClient(replica).GetStringAsync("/metrics"));
            values.Add(samples.Where(s => s.Name == metric && (where is null || where(s))).Sum(s => s.Value));
        }

        return values;
    }

    public static async Task<double> SumAsync(TopologyFixture topology, string metric) => (await PerReplicaAsync(topology, metric)).Sum();

    /// <summary>
    /// The metric summed over both replicas; fails when a replica exports no series of it (a missing series is not a
    /// 0).
    /// </summary>
    public static async Task<double> RequiredSumAsync(TopologyFixture topology, string metric)
    {
        var sum = 0.0;
        for (var replica = 0; replica < 2; replica++)
        {
            var series = PrometheusText.Parse(await topology.AdminClient(replica).GetStringAsync("/metrics")).Where(s => s.Name == metric).ToList();
            Assert.True(series.Count > 0, $"replica {replica + 1} exports no {metric} series");
            sum += series.Sum(s => s.Value);
        }

        return sum;
    }
}
