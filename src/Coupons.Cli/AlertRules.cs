namespace Coupons.Cli;

/// <summary>
/// The pipeline signals on-call acts on, each defined once: deploy/prometheus/alerts.yml states them with these
/// expressions and thresholds (AlertRulesTests holds the file to this class), <c>couponctl status</c> computes them the
/// same way from what it reads of each replica, and the post-mortem asks Prometheus for them with these expressions.
/// </summary>
public static class AlertRules
{
    /// <summary>
    /// Every replica exports the lag of the whole consumer group, partition by partition, so the group's lag is each
    /// partition's highest reading, summed: a plain sum over two replicas reads a lag of 600 as 1,200.
    /// </summary>
    public const string ConsumerLag = "sum(max by (partition) (coupons_consumer_lag))";

    /// <summary>CouponsConsumerLagHigh: the group's lag above this (seed threshold).</summary>
    public const long ConsumerLagThreshold = 1_000;

    /// <summary>
    /// <c>parked_requests</c> is one table: every replica exports the same count, so the highest is the count.
    /// </summary>
    public const string Parked = "max(coupons_parked_requests)";

    /// <summary>CouponsDeadLetters fires on any message dead-lettered within this window, and only then.</summary>
    public static readonly TimeSpan DeadLetterWindow = TimeSpan.FromMinutes(10);

    /// <summary>
    /// <see cref="ConsumerLag"/> over readings of several replicas' /metrics (partition to lag, one map per replica).
    /// </summary>
    public static long GroupLag(IEnumerable<IReadOnlyDictionary<string, long>> perReplica) =>
        perReplica.SelectMany(r => r).GroupBy(p => p.Key).Sum(partition => partition.Max(p => p.Value));

    /// <summary><see cref="Parked"/> over readings of several replicas' /metrics.</summary>
    public static long ParkedCount(IEnumerable<long> perReplica) => perReplica.Max();
}
