namespace Coupons.Consumer;

/// <summary>
/// What the consumer last did, for readiness and the consistency report, and the operator's pause switch.
/// </summary>
public sealed class ConsumerHealth
{
    private long _applied;
    private long _restarts;
    private volatile bool _pauseRequested;
    private volatile bool _holding;

    /// <summary>
    /// Set by an operator (admin API): this instance stops taking messages from Kafka, which keeps them, until
    /// cleared. Nothing is lost or skipped; lag grows and the lag alerts see it.
    /// </summary>
    public bool PauseRequested
    {
        get => _pauseRequested;
        set => _pauseRequested = value;
    }

    /// <summary>True while the consumer loop is actually holding its partitions (set by the consumer itself).</summary>
    public bool Holding
    {
        get => _holding;
        set => _holding = value;
    }

    public DateTimeOffset? LastPoll { get; set; }

    /// <summary>
    /// Partitions of the request topic this instance holds now. 0 while it is outside the group or between the two
    /// rounds of a rebalance; across the replicas the counts add up to the topic's partitions once the group is
    /// settled.
    /// </summary>
    public int AssignedPartitions { get; set; }

    public bool DatabaseFailing { get; set; }

    public long Applied => Interlocked.Read(ref _applied);

    public void RecordApplied(int count) => Interlocked.Add(ref _applied, count);

    /// <summary>Times the consumer loop failed and started over with a new consumer (design.md §2, I7: never because of
    /// a record).</summary>
    public long Restarts => Interlocked.Read(ref _restarts);

    public void RecordRestart() => Interlocked.Increment(ref _restarts);
}
