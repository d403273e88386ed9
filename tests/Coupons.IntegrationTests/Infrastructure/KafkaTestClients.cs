using Confluent.Kafka;
using Coupons.Consumer;
using Coupons.Infrastructure.Kafka;
using Coupons.Requests;

namespace Coupons.IntegrationTests.Infrastructure;

/// <summary>
/// Raw Kafka clients on the test stack, for what reaches the consumer straight from the topic (replays, forgeries,
/// garbage).
/// </summary>
public static class KafkaTestClients
{
    public const string Topic = "coupon.issue.requested";
    public const string DeadLetterTopic = "coupon.issue.requested.dlq";
    public const string EventsTopic = "coupon.events";

    public static IProducer<string, byte[]> Producer(CompressionType compression = CompressionType.None, int messageMaxBytes = 16 * 1024 * 1024)
    {
        KafkaServices.LoadNativeClient();
        return new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = TestStack.Kafka, Acks = Acks.All, EnableIdempotence = true, CompressionType = compression,
            // Records up to what the broker takes (compressed), larger than the app's own producer sends: issue 21,
            // item 5.
            MessageMaxBytes = messageMaxBytes,
        }).Build();
    }

    /// <summary>
    /// Each partition's log end of the dead-letter topic now: where <see cref="ReadDeadLettersFrom"/> starts.
    /// </summary>
    public static IReadOnlyList<TopicPartitionOffset> DeadLetterTopicEnds()
    {
        using var consumer = Reader();
        return consumer.GetMetadataPartitions(DeadLetterTopic)
            .Select(p => new TopicPartition(DeadLetterTopic, p))
            .Select(tp => new TopicPartitionOffset(tp, consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(5)).High))
            .ToList();
    }

    /// <summary>
    /// Dead letters written after <paramref name="from"/>, by the <c>dlq-source</c> they name, until every source in
    /// <paramref name="sources"/> is there or the timeout passes (a source may appear more than once: the result says
    /// so).
    /// </summary>
    public static IReadOnlyDictionary<string, List<ConsumeResult<string, byte[]>>> ReadDeadLettersFrom(
        IReadOnlyList<TopicPartitionOffset> from, IReadOnlySet<string> sources, TimeSpan timeout)
    {
        using var consumer = Reader();
        consumer.Assign(from);
        var found = new Dictionary<string, List<ConsumeResult<string, byte[]>>>();
        var deadline = DateTime.UtcNow + timeout;
        while (found.Count < sources.Count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } record && Header(record, "dlq-source") is { } source && sources.Contains(source))
            {
                (found.TryGetValue(source, out var copies) ? copies : found[source] = []).Add(record);
            }
        }

        return found;
    }

    /// <summary>
    /// Produces <paramref name="value"/> to every partition of the request topic (a poison message reaches every
    /// consumer).
    /// </summary>
    public static async Task ProduceToEveryPartitionAsync(string key, byte[] value, int partitions = 4)
    {
        using var producer = Producer();
        for (var partition = 0; partition < partitions; partition++)
        {
            await producer.ProduceAsync(new TopicPartition(Topic, partition), new Message<string, byte[]> { Key = key, Value = value });
        }
    }

    /// <summary>
    /// Dead letters of records whose key is in <paramref name="keys"/>, one per source record (<c>dlq-source</c>),
    /// waiting until
    /// <paramref name="expected"/> sources have one or <paramref name="timeout"/> passes. A source may have more than
    /// one: a dead letter whose write Kafka did not confirm (an outage) is written again when its batch is read again,
    /// which is legal (at least once); the copies carry the same reason.
    /// </summary>
    public static IReadOnlyList<ConsumeResult<string, byte[]>> ReadDeadLetters(IReadOnlySet<string> keys, int expected, TimeSpan timeout)
    {
        KafkaServices.LoadNativeClient();
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = TestStack.Kafka,
            GroupId = "dlq-test-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(DeadLetterTopic);
        var found = new Dictionary<string, ConsumeResult<string, byte[]>>();
        var deadline = DateTime.UtcNow + timeout;
        try
        {
            while (found.Count < expected && DateTime.UtcNow < deadline)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
                if (result?.Message?.Key is { } key && keys.Contains(key) && Header(result, "dlq-source") is { } source)
                {
                    if (found.TryGetValue(source, out var first))
                    {
                        Assert.Equal(Header(first, "dlq-reason"), Header(result, "dlq-reason")); // a copy, never another verdict
                    }
                    else
                    {
                        found[source] = result;
                    }
                }
            }

            return [.. found.Values];
        }
        finally
        {
            consumer.Close();
        }
    }

    /// <summary>Each partition's log end of the request topic now: where <see cref="ReadRequests"/> starts.</summary>
    public static IReadOnlyList<TopicPartitionOffset> RequestTopicEnds(int partitions = 4)
    {
        using var consumer = Reader();
        return Enumerable.Range(0, partitions)
            .Select(p => new TopicPartition(Topic, p))
            .Select(tp => new TopicPartitionOffset(tp, consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(5)).High))
            .ToList();
    }

    /// <summary>
    /// The requests with <paramref name="requestIds"/> found in the request topic after <paramref name="from"/>, read
    /// by a reader of its own (no group): what any consumer can see there. Waits until all are found or the timeout
    /// passes.
    /// </summary>
    public static IReadOnlySet<Guid> ReadRequests(IReadOnlyList<TopicPartitionOffset> from, IReadOnlySet<Guid> requestIds, TimeSpan timeout)
    {
        using var consumer = Reader();
        consumer.Assign(from);
        var found = new HashSet<Guid>();
        var deadline = DateTime.UtcNow + timeout;
        while (found.Count < requestIds.Count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { Message.Value: { } value } && RequestIdOf(value) is { } id && requestIds.Contains(id))
            {
                found.Add(id);
            }
        }

        return found;
    }

    /// <summary>Each partition's log end of the events topic now: where <see cref="ReadEvents"/> starts.</summary>
    public static IReadOnlyList<TopicPartitionOffset> EventsTopicEnds(int partitions = 4)
    {
        using var consumer = Reader();
        return Enumerable.Range(0, partitions)
            .Select(p => new TopicPartition(EventsTopic, p))
            .Select(tp => new TopicPartitionOffset(tp, consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(5)).High))
            .ToList();
    }

    /// <summary>
    /// The shop events keyed <paramref name="key"/> (a user's publicId) in the events topic after <paramref
    /// name="from"/>, in the order read; waits until <paramref name="expected"/> are found or the timeout passes.
    /// </summary>
    public static IReadOnlyList<ConsumeResult<string, byte[]>> ReadEvents(IReadOnlyList<TopicPartitionOffset> from, string key, int expected, TimeSpan timeout)
    {
        using var consumer = Reader();
        consumer.Assign(from);
        var found = new List<ConsumeResult<string, byte[]>>();
        var deadline = DateTime.UtcNow + timeout;
        while (found.Count < expected && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } result && result.Message.Key == key)
            {
                found.Add(result);
            }
        }

        return found;
    }

    private static Guid? RequestIdOf(byte[] payload)
    {
        try
        {
            return IssueRequested.Parse(payload).RequestId;
        }
        catch (UnreadableMessageException)
        {
            return null; // another test's garbage
        }
    }

    private static IConsumer<string, byte[]> Reader()
    {
        KafkaServices.LoadNativeClient();
        return new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = TestStack.Kafka,
            GroupId = "test-reader-" + Guid.NewGuid().ToString("N"), // never joined: partitions are assigned by hand
            EnableAutoCommit = false,
            FetchMaxBytes = 64 * 1024 * 1024,
            MaxPartitionFetchBytes = 16 * 1024 * 1024,
        }).Build();
    }

    public static string? Header(ConsumeResult<string, byte[]> result, string name) => KafkaHeaders.LastText(result.Message.Headers, name);
}
