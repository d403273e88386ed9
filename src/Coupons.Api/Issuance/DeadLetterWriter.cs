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
    public async Task WriteAsync(ConsumeResult<string, byte[]> source, string reason, string detail)
    {
        var headers = new Headers
        {
            { "dlq-reason", Encoding.UTF8.GetBytes(reason) },
            { "dlq-error", Encoding.UTF8.GetBytes(detail) },
            { "dlq-source", Encoding.UTF8.GetBytes(source.TopicPartitionOffset.ToString()) },
            { "dlq-at", Encoding.UTF8.GetBytes(clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)) },
        };
        await producer.ProduceAsync(options.Value.DeadLetterTopic, new Message<string, byte[]>
        {
            Key = source.Message.Key,
            Value = source.Message.Value,
            Headers = headers,
        });
        metrics.DeadLettered.Add(1, new KeyValuePair<string, object?>("reason", reason));
        DeadLettered(logger, source.TopicPartitionOffset.ToString(), reason, detail);
    }

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Message at {Source} cannot be applied and was sent to the dead-letter topic: {Reason} {Detail}")]
    private static partial void DeadLettered(ILogger logger, string source, string reason, string detail);
}
