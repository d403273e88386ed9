namespace Coupons.Issuance;

/// <summary>What the consumer last did, for readiness and the consistency report.</summary>
public sealed class ConsumerHealth
{
    private long _applied;

    public DateTimeOffset? LastPoll { get; set; }

    public bool DatabaseFailing { get; set; }

    public long Applied => Interlocked.Read(ref _applied);

    public void RecordApplied(int count) => Interlocked.Add(ref _applied, count);
}
