using Confluent.Kafka;
using Coupons.Infrastructure.Kafka;
using Microsoft.Extensions.Options;

namespace Coupons.Issuance;

public enum PublishResult
{
    /// <summary>Acknowledged by all in-sync replicas.</summary>
    Persisted,

    /// <summary>Definitely not written (never left the client, or the broker rejected it): safe to compensate.</summary>
    NotPersisted,

    /// <summary>Timed out or lost in flight: may or may not be in the topic. Never compensate; park and relay instead.</summary>
    Ambiguous,
}

/// <summary>Publishes accepted requests and waits for the broker's answer: nothing is fire-and-forget (SPEC I3).</summary>
public sealed partial class IssueRequestPublisher(IProducer<string, byte[]> producer, IOptions<KafkaOptions> options, ILogger<IssueRequestPublisher> logger)
{
    private readonly string _topic = options.Value.Topic;

    public async Task<PublishResult> PublishAsync(IssueRequested request)
    {
        try
        {
            // Not cancellable on purpose: once handed to librdkafka the send goes on, and only its report tells the truth.
            var report = await producer.ProduceAsync(_topic, new Message<string, byte[]> { Key = request.Key, Value = request.ToBytes() });
            return report.Status == PersistenceStatus.Persisted ? PublishResult.Persisted : PublishResult.Ambiguous;
        }
        catch (ProduceException<string, byte[]> ex)
        {
            var result = ex.DeliveryResult?.Status == PersistenceStatus.NotPersisted ? PublishResult.NotPersisted : PublishResult.Ambiguous;
            PublishFailed(logger, request.RequestId, ex.Error.Code.ToString(), result.ToString());
            return result;
        }
        catch (KafkaException ex)
        {
            // Raised before the message was enqueued (e.g. client queue full): it never left the process.
            PublishFailed(logger, request.RequestId, ex.Error.Code.ToString(), nameof(PublishResult.NotPersisted));
            return PublishResult.NotPersisted;
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Publish of request {RequestId} failed: {ErrorCode}, treated as {Result}")]
    private static partial void PublishFailed(ILogger logger, Guid requestId, string errorCode, string result);
}
