using Confluent.Kafka;
using Coupons.Infrastructure.Kafka;

namespace Coupons.Consumer;

/// <summary>
/// The librdkafka consumer the loop reads with: manual commits only, cooperative rebalances handed to
/// <see cref="ConsumerCommits"/>, no headers, and only the head of a key or value in managed memory.
/// </summary>
public static class ConsumerClient
{
    /// <param name="assigned">Called when a rebalance assigns partitions (on the polling thread, before they are
    /// read).</param>
    public static IConsumer<string, byte[]> Build(KafkaOptions options, ConsumerCommits commits, ILogger logger, Action assigned) =>
        new ConsumerBuilder<string, byte[]>(options.ApplySecurity(new ConsumerConfig
        {
            BootstrapServers = options.BootstrapServers,
            GroupId = options.ConsumerGroup,
            ClientId = "coupons-api-consumer",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            SessionTimeoutMs = (int)options.ConsumerSessionTimeout.TotalMilliseconds,
            HeartbeatIntervalMs = 1_000,
            MaxPollIntervalMs = (int)options.ConsumerMaxPollInterval.TotalMilliseconds,
            ReconnectBackoffMaxMs = 1_000,
            // A fetch waits at most this long for data. librdkafka's 500 ms default showed up as ~250-500 ms of
            // 202 -> row latency against the mock broker; an idle consumer asking 10 times a second costs nothing.
            FetchWaitMaxMs = 100,
            Debug = string.IsNullOrWhiteSpace(options.ConsumerDebug) ? null : options.ConsumerDebug,
            // No headers: the client copies every header of a record whole into managed memory, and a compressed
            // record's 300 MB header stopped the consumer for good under a 256 MB heap (hostile review 2, issue 21).
            // Nothing here needs one: the trace context travels in the message itself (IssueRequested.TraceParent).
            ConsumeResultFields = "topic,timestamp",
        }))
        // Only the head of a key or value reaches managed memory, whatever a compressed record unpacks to (design.md
        // §2, I7).
        .SetKeyDeserializer(HeadDeserializers.Key(DeadLetterWriter.KeptKeyBytes))
        .SetValueDeserializer(HeadDeserializers.Value(DeadLetterWriter.KeptBytes + 1))
        .SetPartitionsAssignedHandler((_, _) => assigned())
        .SetPartitionsRevokedHandler(commits.OnRevoked)
        .SetPartitionsLostHandler((_, lost) => commits.OnLost(lost))
        .SetErrorHandler((_, e) => KafkaLog.ClientError(logger, e.Code.ToString(), e.Reason))
        .SetLogHandler((_, m) => KafkaLog.Client(logger, m.Level.ToString(), m.Facility, m.Message))
        .Build();
}
