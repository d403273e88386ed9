using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Coupons.Infrastructure.Kafka;

/// <param name="Position">Where the group stands: its committed offset, or the log start when it has none (or one below it).</param>
public sealed record PartitionLag(int Partition, long Position, long End)
{
    public long Lag => Math.Max(0, End - Position);
}

/// <summary>
/// How far the consumer group is behind the request topic, per partition, from the broker's view
/// (committed group offsets vs log-end offsets). Shares the producer's connection.
/// </summary>
public sealed class ConsumerLag(IProducer<string, byte[]> producer, IOptions<KafkaOptions> options) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private readonly IAdminClient _admin = new DependentAdminClientBuilder(producer.Handle).Build();

    public async Task<IReadOnlyList<PartitionLag>> ReadAsync()
    {
        var o = options.Value;
        var metadata = await Task.Run(() => _admin.GetMetadata(o.Topic, Timeout));
        var partitions = metadata.Topics.Single(t => t.Topic == o.Topic).Partitions
            .Select(p => new TopicPartition(o.Topic, p.PartitionId)).ToList();
        if (partitions.Count == 0)
        {
            throw new KafkaException(ErrorCode.UnknownTopicOrPart);
        }

        var committed = await _admin.ListConsumerGroupOffsetsAsync(
            [new ConsumerGroupTopicPartitions(o.ConsumerGroup, partitions)],
            new ListConsumerGroupOffsetsOptions { RequestTimeout = Timeout });
        var starts = await ListOffsetsAsync(partitions, OffsetSpec.Earliest());
        var ends = await ListOffsetsAsync(partitions, OffsetSpec.Latest());

        var committedBy = committed.Single().Partitions
            .Where(p => !p.Error.IsError)
            .ToDictionary(p => p.Partition.Value, p => p.Offset.Value);
        var startBy = starts.Where(s => !s.Failed && s.Offset >= 0).ToDictionary(s => s.Partition, s => s.Offset);
        return Combine(partitions.Select(p => p.Partition.Value), committedBy, startBy, ends);
    }

    private async Task<List<(int Partition, long Offset, bool Failed)>> ListOffsetsAsync(List<TopicPartition> partitions, OffsetSpec spec)
    {
        var answer = await _admin.ListOffsetsAsync(
            partitions.Select(tp => new TopicPartitionOffsetSpec { TopicPartition = tp, OffsetSpec = spec }),
            new ListOffsetsOptions { RequestTimeout = Timeout });
        return answer.ResultInfos.Select(r => (r.TopicPartitionOffsetError.Partition.Value, r.TopicPartitionOffsetError.Offset.Value, r.TopicPartitionOffsetError.Error.IsError)).ToList();
    }

    /// <summary>
    /// Lag per partition, refusing to guess: a partition whose log-end offset is missing, failed or negative, or whose
    /// log start is missing, makes the whole answer unknown (throws), because "lag 0" is what allows gate rebuilds and
    /// stock to be returned. A partition without a committed offset (a new group, or offsets expired) counts from its log
    /// start, where the consumer would begin (auto.offset.reset=earliest), not from 0: retention may have deleted the rest.
    /// </summary>
    public static IReadOnlyList<PartitionLag> Combine(
        IEnumerable<int> partitions, IReadOnlyDictionary<int, long> committed, IReadOnlyDictionary<int, long> starts,
        IEnumerable<(int Partition, long End, bool Failed)> ends)
    {
        var endBy = new Dictionary<int, long>();
        foreach (var (partition, end, failed) in ends)
        {
            if (failed || end < 0)
            {
                throw new InvalidOperationException($"log-end offset of partition {partition} is unknown");
            }

            endBy[partition] = end;
        }

        return partitions
            .Select(p => endBy.TryGetValue(p, out var end) && starts.TryGetValue(p, out var start)
                ? new PartitionLag(p, Math.Max(committed.GetValueOrDefault(p, -1), start), end)
                : throw new InvalidOperationException($"no log-start or log-end offset for partition {p}"))
            .OrderBy(p => p.Partition)
            .ToList();
    }

    public void Dispose() => _admin.Dispose();
}
