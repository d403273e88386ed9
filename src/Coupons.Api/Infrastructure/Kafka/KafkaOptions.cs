using System.ComponentModel.DataAnnotations;

namespace Coupons.Infrastructure.Kafka;

public sealed class KafkaOptions
{
    public const string Section = "Kafka";

    [Required]
    public string BootstrapServers { get; set; } = "127.0.0.1:9092";

    /// <summary>Host librdkafka's mock cluster in-process (dev mode only).</summary>
    public bool Embedded { get; set; }

    [Required]
    public string Topic { get; set; } = "coupon.issue.requested";

    [Required]
    public string DeadLetterTopic { get; set; } = "coupon.issue.requested.dlq";

    [Required]
    public string ConsumerGroup { get; set; } = "coupon-issue-service";

    [Range(1, 256)]
    public int Partitions { get; set; } = 4;

    /// <summary>
    /// Copies of each partition when the app creates its topics. Three, so a broker can fail (or be upgraded) without
    /// losing an accepted request; fewer only where there are fewer brokers (the single-broker test stack and compose).
    /// </summary>
    [Range(1, 16)]
    public short ReplicationFactor { get; set; } = 3;

    /// <summary>
    /// min.insync.replicas of the app's topics: with acks=all a publish succeeds only once this many copies have it, so
    /// a 202 survives the loss of any one broker. At most <see cref="ReplicationFactor"/>.
    /// </summary>
    [Range(1, 16)]
    public int MinInSyncReplicas { get; set; } = 2;

    /// <summary>
    /// How long a publish may take before the request is answered. librdkafka's message.timeout.ms:
    /// after it a delivery is reported failed, but may still have been written (PossiblyPersisted).
    /// </summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(3);

    public TimeSpan ProducerLinger { get; set; } = TimeSpan.FromMilliseconds(2);

    [Range(1, 10_000)]
    public int ConsumerBatchSize { get; set; } = 500;

    /// <summary>How long the consumer waits to fill a batch before writing what it has.</summary>
    public TimeSpan ConsumerBatchWindow { get; set; } = TimeSpan.FromMilliseconds(50);

    public bool RunConsumer { get; set; } = true;

    /// <summary>librdkafka's session.timeout.ms: a member silent this long is dropped from the group.</summary>
    public TimeSpan ConsumerSessionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// librdkafka's max.poll.interval.ms: a member that does not poll for this long leaves the group. The consumer polls
    /// at least every 250 ms, also while it waits for the database, so this only bounds a stuck loop: how long a member
    /// that still heartbeats but no longer consumes can hold its partitions (librdkafka's default is 5 minutes, which
    /// is 5 minutes of a partition nobody reads). At least <see cref="ConsumerSessionTimeout"/>.
    /// </summary>
    public TimeSpan ConsumerMaxPollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// librdkafka debug contexts for the request consumer (e.g. "cgrp,consumer"), logged at Debug under
    /// Coupons.Issuance.IssueRequestConsumer. Empty: none. For an incident where the group misbehaves.
    /// </summary>
    public string? ConsumerDebug { get; set; }

    /// <summary>How long the publish circuit stays open before one trial send.</summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(2);
}
