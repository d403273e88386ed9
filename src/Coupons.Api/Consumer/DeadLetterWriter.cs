using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Coupons.Infrastructure.Kafka;
using Coupons.Ops;
using Coupons.Requests;

namespace Coupons.Consumer;

/// <summary>
/// Sends a message that can never be applied to <c>coupon.issue.requested.dlq</c>, unchanged, with why in its headers:
/// <c>dlq-reason</c> (a <see cref="DeadLetterReason"/> code), <c>dlq-error</c> (detail), <c>dlq-source</c> (topic,
/// partition and offset) and <c>dlq-at</c>. Awaited: the consumer commits the offset only once the dead letter is
/// written.
/// </summary>
public sealed partial class DeadLetterWriter(
    IProducer<string, byte[]> producer, IOptions<KafkaOptions> options, CouponMetrics metrics, TimeProvider clock, ILogger<DeadLetterWriter> logger)
{
    /// <summary>
    /// How much of a value is kept: the consumer reads no more than one byte past it (<see cref="HeadDeserializers"/>),
    /// and a value cut here says so in <c>dlq-truncated</c>. 2 MB that the broker took compressed could not be written
    /// whole (over the producer's 1 MB): the batch was read again every second, for ever (issue 21, item 5).
    /// </summary>
    public const int KeptBytes = 64 * 1024;

    /// <summary>How much of a key the consumer reads (the service's own keys are under 60 characters).</summary>
    public const int KeptKeyBytes = 1024;

    public Task WriteAsync(ConsumeResult<string, byte[]> source, string reason, string detail) =>
        WriteAsync(source.Message.Key, source.Message.Value, source.TopicPartitionOffset.ToString(), reason, detail);

    /// <summary>
    /// A parked row that cannot be read as a request (the click's relay of parked requests): kept on the dead-letter
    /// topic, keyed by its row id, with <c>dlq-source</c> <c>parked_requests/&lt;id&gt;</c>, so <c>couponctl dlq
    /// list</c> shows it.
    /// </summary>
    public Task WriteParkedAsync(string rowId, string payload, string? reason, string? error) =>
        WriteAsync(rowId, Encoding.UTF8.GetBytes(payload), $"parked_requests/{rowId}", reason ?? DeadLetterReason.Malformed, error ?? "");

    /// <summary>
    /// The value as it came (its first <see cref="KeptBytes"/>, saying so when cut), with where, why and when in
    /// headers.
    /// </summary>
    private async Task WriteAsync(string? key, byte[]? value, string source, string reason, string detail)
    {
        var headers = new Headers
        {
            { "dlq-reason", Encoding.UTF8.GetBytes(reason) },
            { "dlq-error", Encoding.UTF8.GetBytes(detail) },
            { "dlq-source", Encoding.UTF8.GetBytes(source) },
            { "dlq-at", Encoding.UTF8.GetBytes(clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)) },
        };
        if (value is { Length: > KeptBytes })
        {
            headers.Add("dlq-truncated", Encoding.UTF8.GetBytes($"value longer than {KeptBytes} bytes: its first {KeptBytes} kept"));
            value = value[..KeptBytes];
        }

        await ProduceAsync(key, value, headers);
        metrics.DeadLettered.Add(1, new KeyValuePair<string, object?>("reason", reason));
        DeadLettered(logger, source, reason, detail);
    }

    private Task<DeliveryResult<string, byte[]>> ProduceAsync(string? key, byte[]? value, Headers headers) =>
        producer.ProduceAsync(options.Value.DeadLetterTopic, new Message<string, byte[]> { Key = key!, Value = value!, Headers = headers });

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Message at {Source} cannot be applied and was sent to the dead-letter topic: {Reason} {Detail}")]
    private static partial void DeadLettered(ILogger logger, string source, string reason, string detail);
}
