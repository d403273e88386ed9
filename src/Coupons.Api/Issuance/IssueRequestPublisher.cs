using System.Diagnostics;
using Confluent.Kafka;
using Coupons.Infrastructure.Kafka;
using Coupons.Ops;
using Coupons.Requests;
using Polly;
using Polly.CircuitBreaker;

namespace Coupons.Issuance;

public enum PublishResult
{
    /// <summary>Acknowledged by all in-sync replicas.</summary>
    Persisted,

    /// <summary>Definitely not written (never left the client, or the broker rejected it).</summary>
    NotPersisted,

    /// <summary>Not attempted: Kafka has been failing and the circuit is open. Definitely not written.</summary>
    CircuitOpen,

    /// <summary>
    /// Timed out or lost in flight: may or may not be in the topic. Never compensate; park and relay instead.
    /// </summary>
    Ambiguous,
}

/// <summary>
/// Publishes accepted requests and waits for the broker's answer: nothing is fire-and-forget (design.md §2, I3; §3 step
/// 6). A circuit breaker stops sending while Kafka keeps failing, so callers park at once instead of each waiting out
/// the delivery timeout.
/// </summary>
public sealed partial class IssueRequestPublisher
{
    private readonly IProducer<string, byte[]> _producer;
    private readonly ILogger<IssueRequestPublisher> _logger;
    private readonly string _topic;
    private readonly ResiliencePipeline<PublishResult> _breaker;

    private readonly CouponMetrics _metrics;

    public IssueRequestPublisher(IProducer<string, byte[]> producer, IOptions<KafkaOptions> options, CouponMetrics metrics, ILogger<IssueRequestPublisher> logger)
    {
        _metrics = metrics;
        _producer = producer;
        _logger = logger;
        _topic = options.Value.Topic;
        _breaker = new ResiliencePipelineBuilder<PublishResult>()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<PublishResult>
            {
                ShouldHandle = new PredicateBuilder<PublishResult>().HandleResult(r => r != PublishResult.Persisted),
                FailureRatio = 0.5,
                MinimumThroughput = 5,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = options.Value.CircuitBreakDuration,
                StateProvider = CircuitState,
                OnOpened = _ => { CircuitOpened(logger); return ValueTask.CompletedTask; },
                OnClosed = _ => { CircuitClosed(logger); return ValueTask.CompletedTask; },
            })
            .Build();
    }

    public CircuitBreakerStateProvider CircuitState { get; } = new();

    public async Task<PublishResult> PublishAsync(IssueRequested request)
    {
        try
        {
            return await _breaker.ExecuteAsync(async _ => await ProduceAsync(request), CancellationToken.None);
        }
        catch (BrokenCircuitException)
        {
            return PublishResult.CircuitOpen;
        }
    }

    private async Task<PublishResult> ProduceAsync(IssueRequested request)
    {
        using var span = CouponTracing.Source.StartActivity("coupon.publish", ActivityKind.Producer);
        span?.SetTag("messaging.system", "kafka");
        span?.SetTag("messaging.destination.name", _topic);
        var started = Stopwatch.GetTimestamp();
        try
        {
            // Not cancellable on purpose: once handed to librdkafka the send goes on, and only its report tells the
            // truth.
            var (traceParent, traceState) = CouponTracing.CurrentContext();
            var message = new Message<string, byte[]>
            {
                Key = request.Key,
                Value = (request with { TraceParent = traceParent, TraceState = traceState }).ToBytes(),
                Headers = CouponTracing.InjectContext([]),
            };
            var report = await _producer.ProduceAsync(_topic, message);
            return report.Status == PersistenceStatus.Persisted ? PublishResult.Persisted : PublishResult.Ambiguous;
        }
        catch (ProduceException<string, byte[]> ex)
        {
            var result = ex.DeliveryResult?.Status == PersistenceStatus.NotPersisted ? PublishResult.NotPersisted : PublishResult.Ambiguous;
            PublishFailed(_logger, request.RequestId, ex.Error.Code.ToString(), result.ToString());
            return result;
        }
        catch (KafkaException ex)
        {
            // Raised before the message was enqueued (e.g. client queue full): it never left the process.
            PublishFailed(_logger, request.RequestId, ex.Error.Code.ToString(), nameof(PublishResult.NotPersisted));
            return PublishResult.NotPersisted;
        }
        finally
        {
            _metrics.ProduceDuration.Record(CouponMetrics.Seconds(started));
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Publish of request {RequestId} failed: {ErrorCode}, treated as {Result}")]
    private static partial void PublishFailed(ILogger logger, Guid requestId, string errorCode, string result);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "Kafka circuit opened: accepted requests are parked in the database until Kafka answers")]
    private static partial void CircuitOpened(ILogger logger);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Kafka circuit closed: publishing directly again")]
    private static partial void CircuitClosed(ILogger logger);
}
