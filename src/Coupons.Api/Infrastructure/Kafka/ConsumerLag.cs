using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Options;

namespace Coupons.Infrastructure.Kafka;

public sealed record PartitionLag(int Partition, long Committed, long End)
{
    public long Lag => Math.Max(0, End - Math.Max(0, Committed));
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
        var ends = await _admin.ListOffsetsAsync(
            partitions.Select(tp => new TopicPartitionOffsetSpec { TopicPartition = tp, OffsetSpec = OffsetSpec.Latest() }),
            new ListOffsetsOptions { RequestTimeout = Timeout });

        var committedBy = committed.Single().Partitions.ToDictionary(p => p.Partition.Value, p => p.Offset.Value);
        return ends.ResultInfos
            .Select(r => new PartitionLag(r.TopicPartitionOffsetError.Partition.Value, committedBy.GetValueOrDefault(r.TopicPartitionOffsetError.Partition.Value, -1), r.TopicPartitionOffsetError.Offset.Value))
            .OrderBy(p => p.Partition)
            .ToList();
    }

    public void Dispose() => _admin.Dispose();
}
