using Confluent.Kafka;

namespace Coupons.Infrastructure.Kafka;

/// <param name="Position">Where the group stands: its committed offset, or the log start when it has none (or one below
/// it).</param>
public sealed record PartitionLag(int Partition, long Position, long End)
{
    public long Lag => Math.Max(0, End - Position);
}

/// <summary>
/// How far the consumer group is behind the request topic, per partition, from the broker's view
/// (committed group offsets vs log-end offsets), read through a consumer handle of its own that never joins the group.
/// </summary>
/// <remarks>
/// Not through the admin API: with librdkafka 2.16 a ListConsumerGroupOffsets request that times out while the group's
/// coordinator is unreachable leaves the client broken — a long-lived admin client never answers the request again
/// once the brokers are back (CouponsKafkaUnreachable kept paging, and gate rebuilds and reconciliation, which wait
/// for a known lag, waited too), and a fresh client that met the same timeout aborted the process when the brokers
/// returned (<c>rd_kafka_enq_once_del_source_return: Assertion `eonce-&gt;refcnt &gt; 0' failed</c>). The consumer's
/// own offset fetch and watermark queries are the paths every consumer uses (ConsumerLagRecoveryTests; found by
/// <c>couponctl drill kafka-down</c>).
/// </remarks>
public sealed class ConsumerLag(IOptions<KafkaOptions> options) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly Lazy<IConsumer<byte[], byte[]>> _consumer = new(() => new ConsumerBuilder<byte[], byte[]>(options.Value.ApplySecurity(new ConsumerConfig
    {
        BootstrapServers = options.Value.BootstrapServers,
        GroupId = options.Value.ConsumerGroup, // for its committed offsets only: it never subscribes, so it never joins
        ClientId = "coupons-api-lag",
        EnableAutoCommit = false,
        SocketTimeoutMs = 5000,
        ReconnectBackoffMaxMs = 1000,
    })).Build());

    public Task<IReadOnlyList<PartitionLag>> ReadAsync() => Task.Run(Read);

    private IReadOnlyList<PartitionLag> Read()
    {
        var o = options.Value;
        var consumer = _consumer.Value;
        using var metadataClient = new DependentAdminClientBuilder(consumer.Handle).Build();
        var partitions = metadataClient.GetMetadata(o.Topic, Timeout).Topics.Single(t => t.Topic == o.Topic).Partitions
            .Select(p => new TopicPartition(o.Topic, p.PartitionId)).ToList();
        if (partitions.Count == 0)
        {
            throw new KafkaException(ErrorCode.UnknownTopicOrPart);
        }

        var committedBy = consumer.Committed(partitions, Timeout)
            .Where(c => !c.Offset.IsSpecial)
            .ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
        var watermarks = partitions.Select(tp => (tp.Partition.Value, Marks: consumer.QueryWatermarkOffsets(tp, Timeout))).ToList();
        var startBy = watermarks.Where(w => w.Marks.Low.Value >= 0).ToDictionary(w => w.Value, w => w.Marks.Low.Value);
        return Combine(partitions.Select(p => p.Partition.Value), committedBy, startBy,
            watermarks.Select(w => (w.Value, w.Marks.High.Value, w.Marks.High.IsSpecial)));
    }

    /// <summary>
    /// Lag per partition, refusing to guess: a partition whose log-end offset is missing, failed or negative, or whose
    /// log start is missing, makes the whole answer unknown (throws), because "lag 0" is what allows gate rebuilds and
    /// stock to be returned. A partition without a committed offset (a new group, or offsets expired) counts from its
    /// log start, where the consumer would begin (auto.offset.reset=earliest), not from 0: retention may have deleted
    /// the rest.
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

    public void Dispose()
    {
        if (_consumer.IsValueCreated)
        {
            _consumer.Value.Close();
            _consumer.Value.Dispose();
        }
    }
}
