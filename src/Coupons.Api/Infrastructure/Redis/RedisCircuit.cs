using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using StackExchange.Redis;

namespace Coupons.Infrastructure.Redis;

/// <summary>
/// One circuit for every Redis call on the request path. When Redis keeps failing (down, hung, partitioned),
/// calls fail at once with <see cref="BrokenCircuitException"/> for <see cref="RedisOptions.CircuitBreakDuration"/>,
/// then one trial call decides. Timeouts are retried twice first: the gate script is idempotent per request id.
/// </summary>
public sealed partial class RedisCircuit
{
    public RedisCircuit(Microsoft.Extensions.Options.IOptions<RedisOptions> options, ILogger<RedisCircuit> logger)
    {
        Pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<RedisTimeoutException>(),
                MaxRetryAttempts = 2,
                Delay = TimeSpan.FromMilliseconds(20),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<RedisException>().Handle<TimeoutException>(),
                FailureRatio = 0.5,
                // Counted per call, and a gate call carries a whole batch of clicks (GateBatcher): with a handful of
                // calls in flight, waiting for 10 would keep a hung Redis's clicks waiting through three timeouts.
                MinimumThroughput = 4,
                SamplingDuration = TimeSpan.FromSeconds(5),
                BreakDuration = options.Value.CircuitBreakDuration,
                StateProvider = State,
                OnOpened = _ => { Opened(logger); return ValueTask.CompletedTask; },
                OnClosed = _ => { Closed(logger); return ValueTask.CompletedTask; },
            })
            .Build();
    }

    public ResiliencePipeline Pipeline { get; }

    public CircuitBreakerStateProvider State { get; } = new();

    /// <summary>True for every failure that means "Redis cannot answer now".</summary>
    public static bool IsUnavailable(Exception ex) => ex is RedisException or TimeoutException or BrokenCircuitException;

    [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "Redis circuit opened: FCFS answers 503 and reads go to the database")]
    private static partial void Opened(ILogger logger);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Redis circuit closed")]
    private static partial void Closed(ILogger logger);
}
