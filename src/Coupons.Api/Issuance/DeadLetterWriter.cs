using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Coupons.Infrastructure.Kafka;
using Coupons.Ops;

namespace Coupons.Issuance;

/// <summary>
/// Sends a message that can never be applied to <c>coupon.issue.requested.dlq</c>, unchanged, with why in its headers:
/// <c>dlq-reason</c> (a <see cref="DeadLetterReason"/> code), <c>dlq-error</c> (detail), <c>dlq-source</c> (topic,
/// partition and offset) and <c>dlq-at</c>. Awaited: the consumer commits the offset only once the dead letter is written.
/// </summary>
public sealed partial class DeadLetterWriter(
    IProducer<string, byte[]> producer, IOptions<KafkaOptions> options, CouponMetrics metrics, TimeProvider clock, ILogger<DeadLetterWriter> logger)
{
    /// <summary>How much of a record too large for this producer is kept (its head), with its size in <c>dlq-truncated</c>.</summary>
    public const int KeptBytes = 64 * 1024;

    public async Task WriteAsync(ConsumeResult<string, byte[]> source, string reason, string detail)
    {
        var headers = new Headers
        {
            { "dlq-reason", Encoding.UTF8.GetBytes(reason) },
            { "dlq-error", Encoding.UTF8.GetBytes(detail) },
            { "dlq-source", Encoding.UTF8.GetBytes(source.TopicPartitionOffset.ToString()) },
            { "dlq-at", Encoding.UTF8.GetBytes(clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)) },
        };
        try
        {
            await ProduceAsync(source.Message.Key, source.Message.Value, headers);
        }
        catch (ProduceException<string, byte[]> ex) when (ex.Error.Code == ErrorCode.MsgSizeTooLarge)
        {
            // The broker took it compressed; uncompressed it is larger than this producer may send (issue 21, item 5: the
            // batch was read again every second, for ever). Its head and its size still tell an operator what it was.
            var key = source.Message.Key;
            headers.Add("dlq-truncated", Encoding.UTF8.GetBytes(
                $"value {source.Message.Value?.Length ?? 0} bytes, key {key?.Length ?? 0} chars; the first {KeptBytes} bytes of each kept"));
            await ProduceAsync(key is { Length: > KeptBytes } ? key[..KeptBytes] : key, source.Message.Value is { Length: > KeptBytes } value ? value[..KeptBytes] : source.Message.Value, headers);
        }

        metrics.DeadLettered.Add(1, new KeyValuePair<string, object?>("reason", reason));
        DeadLettered(logger, source.TopicPartitionOffset.ToString(), reason, detail);
    }

    private Task<DeliveryResult<string, byte[]>> ProduceAsync(string? key, byte[]? value, Headers headers) =>
        producer.ProduceAsync(options.Value.DeadLetterTopic, new Message<string, byte[]> { Key = key!, Value = value!, Headers = headers });

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Message at {Source} cannot be applied and was sent to the dead-letter topic: {Reason} {Detail}")]
    private static partial void DeadLettered(ILogger logger, string source, string reason, string detail);
}
