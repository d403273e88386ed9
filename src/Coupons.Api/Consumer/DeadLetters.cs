using System.Text;
using Confluent.Kafka;
using Coupons.Infrastructure.Kafka;

namespace Coupons.Consumer;

/// <summary>Reads the dead-letter topic for operators and sends chosen messages back to the request topic.</summary>
public sealed class DeadLetters(IProducer<string, byte[]> producer, IOptions<KafkaOptions> options)
{
    private const int MaxPayloadChars = 2048;
    private const int MaxKeyChars = 256;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public Task<IReadOnlyList<DeadLetter>> ListAsync(int max) => Task.Run(() => List(max));

    /// <summary>
    /// Re-publishes one dead letter to the request topic; false when there is no message at that position.
    /// </summary>
    public async Task<bool> ReplayAsync(int partition, long offset)
    {
        var message = await Task.Run(() => ReadOne(partition, offset));
        if (message is null)
        {
            return false;
        }

        var headers = new Headers { { "replayed-from", Encoding.UTF8.GetBytes($"{options.Value.DeadLetterTopic}[{partition}]@{offset}") } };
        var report = await producer.ProduceAsync(options.Value.Topic, new Message<string, byte[]> { Key = message.Key, Value = message.Value, Headers = headers });
        return report.Status == PersistenceStatus.Persisted;
    }

    /// <summary>
    /// The newest <paramref name="max"/> dead letters across partitions, newest first: the last <paramref name="max"/>
    /// of each partition are read (not its oldest, which would hide what just went wrong), then merged by time.
    /// </summary>
    private IReadOnlyList<DeadLetter> List(int max)
    {
        using var consumer = NewConsumer();
        var topic = options.Value.DeadLetterTopic;
        var found = new List<ConsumeResult<string, byte[]>>();
        foreach (var partition in consumer.GetMetadataPartitions(topic))
        {
            var tp = new TopicPartition(topic, partition);
            var watermarks = consumer.QueryWatermarkOffsets(tp, Timeout);
            var from = Math.Max(watermarks.Low.Value, watermarks.High.Value - max);
            consumer.Assign(new TopicPartitionOffset(tp, from));
            while (from < watermarks.High.Value)
            {
                var record = consumer.Consume(Timeout);
                if (record is null || record.IsPartitionEOF)
                {
                    break;
                }

                found.Add(record);
                if (record.Offset.Value >= watermarks.High.Value - 1)
                {
                    break;
                }
            }
        }

        return found.OrderByDescending(r => r.Message.Timestamp.UnixTimestampMs).ThenByDescending(r => r.Offset.Value)
            .Take(max).Select(ToDeadLetter).ToList();
    }

    private Message<string, byte[]>? ReadOne(int partition, long offset)
    {
        using var consumer = NewConsumer();
        consumer.Assign(new TopicPartitionOffset(options.Value.DeadLetterTopic, partition, offset));
        var record = consumer.Consume(Timeout);
        return record is { IsPartitionEOF: false } && record.Offset.Value == offset ? record.Message : null;
    }

    private static DeadLetter ToDeadLetter(ConsumeResult<string, byte[]> record)
    {
        // Anyone who can write to the topic can write any header, or one without a value.
        string? Header(string name) => KafkaHeaders.LastText(record.Message.Headers, name);
        var payload = Encoding.UTF8.GetString(record.Message.Value ?? []);
        var key = record.Message.Key is { Length: > MaxKeyChars } longKey ? longKey[..MaxKeyChars] : record.Message.Key;
        return new DeadLetter(record.Partition.Value, record.Offset.Value, key, Header("dlq-error"), Header("dlq-source"), Header("dlq-at"),
            payload.Length > MaxPayloadChars ? payload[..MaxPayloadChars] : payload);
    }

    private IConsumer<string, byte[]> NewConsumer() =>
        new ConsumerBuilder<string, byte[]>(options.Value.ApplySecurity(new ConsumerConfig
        {
            BootstrapServers = options.Value.BootstrapServers,
            GroupId = "coupons-dlq-reader",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }))
        // Anyone who can write to the topic can write a key or value of any size (hostile review, issue 21: five
        // 900,000- character keys made a 27 MB listing): only heads are read, and the listing shows less still.
        .SetKeyDeserializer(HeadDeserializers.Key(DeadLetterWriter.KeptKeyBytes))
        .SetValueDeserializer(HeadDeserializers.Value(DeadLetterWriter.KeptBytes))
        .Build();
}

internal static class ConsumerMetadataExtensions
{
    public static IReadOnlyList<int> GetMetadataPartitions(this IConsumer<string, byte[]> consumer, string topic)
    {
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        return admin.GetMetadata(topic, TimeSpan.FromSeconds(5)).Topics.SelectMany(t => t.Partitions).Select(p => p.PartitionId).ToList();
    }
}
