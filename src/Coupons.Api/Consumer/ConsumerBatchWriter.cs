using System.Diagnostics;
using Coupons.Infrastructure.Database;
using Coupons.Ops;
using Coupons.Requests;
using Polly;
using Polly.Retry;

namespace Coupons.Consumer;

/// <summary>
/// Writes a consumer batch to the database and decides what a failure means:
/// <list type="bullet">
/// <item>transient (the database is unreachable, a lock timed out): wait with backoff and retry, for as long as it
/// takes; nothing is skipped (the consumer keeps its group membership meanwhile, see
/// <see cref="ConsumerLoop"/>);</item>
/// <item>permanent (the data breaks a constraint; see <see cref="DbFailures"/>): the batch is split in halves, written
/// in order, until the one message that fails alone is found; it is set aside for the dead-letter topic and every other
/// message is written (design.md §2, I7: no message, however well formed, stops the consumer for others).</item>
/// </list> Messages the store recognises as unappliable before writing (unknown user or coupon) are set aside the same
/// way.
/// </summary>
public sealed partial class ConsumerBatchWriter
{
    private readonly IssueRequestStore _store;
    private readonly ConsumerHealth _health;
    private readonly ResiliencePipeline _untilWritten;
    private readonly ILogger<ConsumerBatchWriter> _logger;

    /// <param name="store">On the consumer's own connection pool (see
    /// <see cref="DatabaseServices.ConsumerPool"/>).</param>
    public ConsumerBatchWriter(
        [FromKeyedServices(DatabaseServices.ConsumerPool)] IssueRequestStore store, ConsumerHealth health, CouponMetrics metrics, TimeProvider clock, ILogger<ConsumerBatchWriter> logger)
    {
        (_store, _health, _logger) = (store, health, logger);
        _untilWritten = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(DbFailures.IsTransient),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(100),
                MaxDelay = TimeSpan.FromSeconds(5),
                OnRetry = args =>
                {
                    health.DatabaseFailing = true;
                    metrics.ConsumerDbFailures.Add(1);
                    var error = args.Outcome.Exception!;
                    BatchFailed(logger, args.AttemptNumber + 1, error.GetType().Name, error.Message);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <param name="requests">In Kafka order.</param>
    /// <param name="parents">The trace context of each request (same order).</param>
    public async Task<BatchResult> WriteAsync(IReadOnlyList<IssueRequested> requests, IReadOnlyList<ActivityContext> parents, CancellationToken ct)
    {
        var decisions = new List<IssueDecision>(requests.Count);
        var unappliable = new List<UnappliableRequest>();
        await WriteIsolatingAsync(requests, parents, decisions, unappliable, ct);
        return new BatchResult(decisions, unappliable);
    }

    private async Task WriteIsolatingAsync(
        IReadOnlyList<IssueRequested> requests, IReadOnlyList<ActivityContext> parents, List<IssueDecision> decisions, List<UnappliableRequest> unappliable, CancellationToken ct)
    {
        try
        {
            var result = await _untilWritten.ExecuteAsync(async token => await _store.ApplyBatchAsync(requests, token, parents), ct);
            _health.DatabaseFailing = false;
            decisions.AddRange(result.Decisions);
            unappliable.AddRange(result.Unappliable);
        }
        catch (Exception ex) when (DbFailures.IsPermanent(ex))
        {
            if (requests.Count == 1)
            {
                unappliable.Add(new UnappliableRequest(requests[0], DeadLetterReason.ConstraintFailed, ex.Message));
                return;
            }

            // First half before second: Kafka order (first come, first served) is kept within the batch.
            Isolating(_logger, requests.Count, ex.Message);
            var half = requests.Count / 2;
            await WriteIsolatingAsync(requests.Take(half).ToList(), parents.Take(half).ToList(), decisions, unappliable, ct);
            await WriteIsolatingAsync(requests.Skip(half).ToList(), parents.Skip(half).ToList(), decisions, unappliable, ct);
        }
    }

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "Batch write failed (attempt {Attempt}), retrying: {ExceptionType} {Reason}")]
    private static partial void BatchFailed(ILogger logger, int attempt, string exceptionType, string reason);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "A batch of {Count} was refused for a reason in its data ({Reason}); writing it in halves to find the message")]
    private static partial void Isolating(ILogger logger, int count, string reason);
}
