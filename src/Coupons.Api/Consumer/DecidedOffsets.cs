using Confluent.Kafka;

namespace Coupons.Consumer;

/// <summary>
/// Per partition, the offset after the last message whose decision is in the database but whose commit has not landed
/// yet. A commit refused by the group (a rebalance bumped the generation, the coordinator moved) is tried again from
/// here until it lands, instead of re-reading the batch: committing is the only thing left to do for those messages,
/// and on a partition that gets no new traffic nothing else would ever move its committed offset (the drain that gate
/// rebuilds and unit returns wait for would then never pass). A partition that leaves this member is forgotten: its
/// next owner starts from the last commit, and the store recognises what it re-reads.
/// </summary>
public sealed class DecidedOffsets
{
    private readonly Dictionary<TopicPartition, long> _next = [];

    public bool Any => _next.Count > 0;

    /// <summary>Records that everything below each offset is decided; an offset never moves backwards.</summary>
    public void Decided(IEnumerable<TopicPartitionOffset> next)
    {
        foreach (var offset in next)
        {
            if (!_next.TryGetValue(offset.TopicPartition, out var known) || offset.Offset.Value > known)
            {
                _next[offset.TopicPartition] = offset.Offset.Value;
            }
        }
    }

    /// <summary>What to commit: the recorded offsets of the partitions in <paramref name="owned"/>.</summary>
    public IReadOnlyList<TopicPartitionOffset> Pending(IEnumerable<TopicPartition> owned) =>
        owned.Where(_next.ContainsKey).Select(p => new TopicPartitionOffset(p, _next[p])).ToList();

    /// <summary>
    /// Forgets offsets that the group now holds (a later decision on the same partition stays pending).
    /// </summary>
    public void Committed(IEnumerable<TopicPartitionOffset> committed)
    {
        foreach (var offset in committed)
        {
            if (_next.TryGetValue(offset.TopicPartition, out var known) && known <= offset.Offset.Value)
            {
                _next.Remove(offset.TopicPartition);
            }
        }
    }

    /// <summary>Forgets partitions this member no longer owns.</summary>
    public void Forget(IEnumerable<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            _next.Remove(partition);
        }
    }

    /// <summary>Keeps only the partitions in <paramref name="owned"/>.</summary>
    public void KeepOnly(IEnumerable<TopicPartition> owned)
    {
        var keep = owned.ToHashSet();
        Forget(_next.Keys.Where(p => !keep.Contains(p)).ToList());
    }
}
