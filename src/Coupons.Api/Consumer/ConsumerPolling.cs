using Confluent.Kafka;
using Coupons.Infrastructure.Kafka;

namespace Coupons.Consumer;

/// <summary>
/// How the consumer reads: a batch (up to <see cref="KafkaOptions.ConsumerBatchSize"/> messages within
/// <see cref="KafkaOptions.ConsumerBatchWindow"/>), and holding (polling with every partition paused, so the group
/// keeps this member while nothing is read).
/// </summary>
public sealed partial class ConsumerPolling(KafkaOptions options, TimeProvider clock, ILogger logger)
{
    /// <summary>
    /// Paused (by an operator, or while a write waits): poll (so the group keeps this member) with every assigned
    /// partition paused. A partition assigned by a rebalance meanwhile is not paused yet; a message it yields is put
    /// back unread.
    /// </summary>
    public void Hold(IConsumer<string, byte[]> consumer)
    {
        consumer.Pause(consumer.Assignment);
        var stray = Poll(consumer, TimeSpan.FromMilliseconds(50)); // short: a resume acts within 50 ms
        if (stray is { IsPartitionEOF: false })
        {
            consumer.Pause([stray.TopicPartition]);
            consumer.Seek(stray.TopicPartitionOffset);
        }
    }

    public List<ConsumeResult<string, byte[]>> ReadBatch(IConsumer<string, byte[]> consumer, CancellationToken ct)
    {
        var batch = new List<ConsumeResult<string, byte[]>>();
        var first = Poll(consumer, TimeSpan.FromMilliseconds(250));
        if (first is null || first.IsPartitionEOF)
        {
            return batch;
        }

        batch.Add(first);
        var deadline = clock.GetUtcNow() + options.ConsumerBatchWindow;
        while (batch.Count < options.ConsumerBatchSize && !ct.IsCancellationRequested)
        {
            var remaining = deadline - clock.GetUtcNow();
            var next = Poll(consumer, remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
            if (next is null)
            {
                break;
            }

            if (!next.IsPartitionEOF)
            {
                batch.Add(next);
            }
        }

        return batch;
    }

    /// <summary>
    /// One poll. An error the client reports through Consume (e.g. the poll interval was exceeded and the member left
    /// the group) is logged; librdkafka rejoins on the next poll, and uncommitted messages are read again.
    /// </summary>
    private ConsumeResult<string, byte[]>? Poll(IConsumer<string, byte[]> consumer, TimeSpan timeout)
    {
        try
        {
            return consumer.Consume(timeout);
        }
        catch (ConsumeException ex) when (!ex.Error.IsFatal)
        {
            PollFailed(logger, ex.Error.Code.ToString(), ex.Error.Reason);
            return null;
        }
    }


    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "Consumer poll reported {Code}: {Reason}; it goes on (a member that left the group rejoins)")]
    private static partial void PollFailed(ILogger logger, string code, string reason);
}
