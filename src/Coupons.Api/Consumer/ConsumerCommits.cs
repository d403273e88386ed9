using Confluent.Kafka;

namespace Coupons.Consumer;

/// <summary>
/// The commit bookkeeping of one consumer (a new consumer starts from the group's commits, with a new one): offsets
/// decided and not yet committed (<see cref="DecidedOffsets"/>), committed on the partitions this member still owns, a
/// refused commit tried again, and what a rebalance takes away committed first or forgotten.
/// </summary>
public sealed partial class ConsumerCommits(TimeProvider clock, ILogger logger)
{
    private static readonly TimeSpan CommitRetryEvery = TimeSpan.FromSeconds(1);

    private readonly DecidedOffsets _decided = new();
    private DateTimeOffset _commitRetryAt = DateTimeOffset.MinValue;

    /// <summary>
    /// A batch is decided (written or dead-lettered): each partition's offset after its last message.
    /// </summary>
    public void Decided(IEnumerable<ConsumeResult<string, byte[]>> batch) =>
        _decided.Decided(batch.GroupBy(r => r.TopicPartition).Select(g => new TopicPartitionOffset(g.Key, g.Max(r => r.Offset.Value) + 1)));

    /// <summary>
    /// Commits what is decided on the partitions this member owns. A refusal (a rebalance bumped the generation, the
    /// coordinator moved) leaves it pending, tried again at most once per <see cref="CommitRetryEvery"/> until it
    /// lands.
    /// </summary>
    public void CommitDecided(IConsumer<string, byte[]> consumer)
    {
        if (!_decided.Any || clock.GetUtcNow() < _commitRetryAt)
        {
            return;
        }

        _decided.KeepOnly(consumer.Assignment);
        var pending = _decided.Pending(consumer.Assignment);
        if (pending.Count == 0)
        {
            return;
        }

        try
        {
            consumer.Commit(pending);
            _decided.Committed(pending);
            _commitRetryAt = DateTimeOffset.MinValue;
        }
        catch (KafkaException ex)
        {
            if (ex is TopicPartitionOffsetException partial)
            {
                _decided.Committed(partial.Results.Where(r => !r.Error.IsError).Select(r => r.TopicPartitionOffset));
            }

            CommitFailed(logger, ex.Error.Code.ToString(), ex.Error.Reason);
            _commitRetryAt = clock.GetUtcNow() + CommitRetryEvery;
        }
    }

    /// <summary>
    /// Partitions leaving this member (a cooperative rebalance): commit what is decided on them while it still can.
    /// </summary>
    public void OnRevoked(IConsumer<string, byte[]> consumer, List<TopicPartitionOffset> revoked)
    {
        var partitions = revoked.Select(r => r.TopicPartition).ToList();
        var pending = _decided.Pending(partitions);
        if (pending.Count > 0)
        {
            try
            {
                consumer.Commit(pending);
            }
            catch (KafkaException ex)
            {
                // Their next owner starts from the last commit and re-reads what this member decided (I5).
                CommitFailed(logger, ex.Error.Code.ToString(), ex.Error.Reason);
            }
        }

        _decided.Forget(partitions);
    }

    /// <summary>
    /// Partitions lost without a revoke (the member was thrown out): their next owner re-reads from the last commit.
    /// </summary>
    public void OnLost(IEnumerable<TopicPartitionOffset> lost) => _decided.Forget(lost.Select(l => l.TopicPartition));

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Offset commit failed ({Code}): {Reason}")]
    private static partial void CommitFailed(ILogger logger, string code, string reason);
}
