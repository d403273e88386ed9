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
/// (committed group offsets vs log-end offsets), through an admin client of its own.
/// </summary>
/// <remarks>
/// A read that fails retires its admin client; the next read starts a fresh one. librdkafka 2.16's admin clients
/// (standalone or sharing the producer's handle) can stop answering group-offset requests for good once every broker
/// was down, even after the brokers are back, while a client created afterwards answers at once. Kept, that one stuck
/// client read as "Kafka down" forever: CouponsKafkaUnreachable kept paging, and gate rebuilds and reconciliation,
/// which wait for a known lag, waited too (ConsumerLagRecoveryTests; found by <c>couponctl drill kafka-down</c>).
/// </remarks>
public sealed class ConsumerLag(IOptions<KafkaOptions> options) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <summary>A retired client may still be in use by a concurrent read; it is disposed once that read is surely over.</summary>
    private static readonly TimeSpan RetireAfter = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private IAdminClient? _admin;

    public async Task<IReadOnlyList<PartitionLag>> ReadAsync()
    {
        var admin = Current();
        try
        {
            return await ReadAsync(admin);
        }
        catch
        {
            Retire(admin);
            throw;
        }
    }

    private async Task<IReadOnlyList<PartitionLag>> ReadAsync(IAdminClient admin)
    {
        var o = options.Value;
        var metadata = await Task.Run(() => admin.GetMetadata(o.Topic, Timeout));
        var partitions = metadata.Topics.Single(t => t.Topic == o.Topic).Partitions
            .Select(p => new TopicPartition(o.Topic, p.PartitionId)).ToList();
        if (partitions.Count == 0)
        {
            throw new KafkaException(ErrorCode.UnknownTopicOrPart);
        }

        var committed = await admin.ListConsumerGroupOffsetsAsync(
            [new ConsumerGroupTopicPartitions(o.ConsumerGroup, partitions)],
            new ListConsumerGroupOffsetsOptions { RequestTimeout = Timeout });
        var starts = await ListOffsetsAsync(admin, partitions, OffsetSpec.Earliest());
        var ends = await ListOffsetsAsync(admin, partitions, OffsetSpec.Latest());

        var committedBy = committed.Single().Partitions
            .Where(p => !p.Error.IsError)
            .ToDictionary(p => p.Partition.Value, p => p.Offset.Value);
        var startBy = starts.Where(s => !s.Failed && s.Offset >= 0).ToDictionary(s => s.Partition, s => s.Offset);
        return Combine(partitions.Select(p => p.Partition.Value), committedBy, startBy, ends);
    }

    private IAdminClient Current()
    {
        lock (_gate)
        {
            return _admin ??= new AdminClientBuilder(new AdminClientConfig
            {
                BootstrapServers = options.Value.BootstrapServers,
                ClientId = "coupons-api-lag",
                SocketTimeoutMs = 5000,
                ReconnectBackoffMaxMs = 1000,
            }).Build();
        }
    }

    private void Retire(IAdminClient admin)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_admin, admin))
            {
                _admin = null;
            }
        }

        _ = Task.Delay(RetireAfter).ContinueWith(_ => admin.Dispose(), TaskScheduler.Default);
    }

    private static async Task<List<(int Partition, long Offset, bool Failed)>> ListOffsetsAsync(IAdminClient admin, List<TopicPartition> partitions, OffsetSpec spec)
    {
        var answer = await admin.ListOffsetsAsync(
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

    public void Dispose()
    {
        lock (_gate)
        {
            _admin?.Dispose();
            _admin = null;
        }
    }
}
