using System.Data.Common;
using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Coupons.Infrastructure.Kafka;
using Coupons.Ops;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Coupons.Issuance;

/// <summary>
/// Consumer group <c>coupon-issue-service</c>: reads accepted requests in batches, writes each batch in one
/// database transaction, and only then commits the offsets. A crash before the commit means redelivery,
/// which the idempotent store absorbs (I5). While the database is down the batch is retried with backoff,
/// nothing is skipped and nothing is committed. Malformed messages go to the dead-letter topic.
/// </summary>
public sealed partial class IssueRequestConsumer(
    IOptions<KafkaOptions> options,
    IssueRequestStore store,
    IProducer<string, byte[]> producer,
    ConsumerHealth health,
    CouponMetrics metrics,
    TimeProvider clock,
    ILogger<IssueRequestConsumer> logger) : BackgroundService
{
    private readonly KafkaOptions _options = options.Value;

    private readonly ResiliencePipeline _dbRetry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            // Anything but shutdown: a batch that cannot be written now is retried, never skipped.
            ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(100),
            MaxDelay = TimeSpan.FromSeconds(5),
            OnRetry = args =>
            {
                health.DatabaseFailing = true;
                metrics.ConsumerDbFailures.Add(1);
                BatchFailed(logger, args.AttemptNumber, args.Outcome.Exception?.GetType().Name ?? "", args.Outcome.Exception?.Message ?? "");
                return ValueTask.CompletedTask;
            },
        })
        .Build();

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // librdkafka's Consume blocks; keep it off the thread pool.
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        using var consumer = BuildConsumer();
        consumer.Subscribe(_options.Topic);
        Started(logger, _options.Topic, _options.ConsumerGroup);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (health.PauseRequested)
                {
                    Hold(consumer);
                    health.Holding = true;
                    health.LastPoll = DateTimeOffset.UtcNow;
                    continue;
                }

                if (health.Holding)
                {
                    consumer.Resume(consumer.Assignment);
                    health.Holding = false;
                }

                var batch = ReadBatch(consumer, stoppingToken);
                health.LastPoll = DateTimeOffset.UtcNow;
                if (batch.Count > 0)
                {
                    try
                    {
                        ProcessAsync(consumer, batch, stoppingToken).GetAwaiter().GetResult();
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // E.g. the dead-letter topic refused a write. Nothing of this batch is committed; rewind so
                        // the next poll reads it again instead of skipping it.
                        Rewind(consumer, batch);
                        BatchFailed(logger, 0, ex.GetType().Name, ex.Message);
                        stoppingToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Leave the group cleanly so partitions move to other instances at once; uncommitted work is redelivered.
            consumer.Close();
            Stopped(logger);
        }
    }

    /// <summary>
    /// Paused by an operator: keep polling (so the group keeps this member) with every assigned partition paused.
    /// A partition assigned by a rebalance meanwhile is not paused yet; a message it yields is put back unread.
    /// </summary>
    private static void Hold(IConsumer<string, byte[]> consumer)
    {
        consumer.Pause(consumer.Assignment);
        var stray = consumer.Consume(TimeSpan.FromMilliseconds(50)); // short: a resume acts within 50 ms
        if (stray is { IsPartitionEOF: false })
        {
            consumer.Pause([stray.TopicPartition]);
            consumer.Seek(stray.TopicPartitionOffset);
        }
    }

    private List<ConsumeResult<string, byte[]>> ReadBatch(IConsumer<string, byte[]> consumer, CancellationToken ct)
    {
        var batch = new List<ConsumeResult<string, byte[]>>();
        var first = consumer.Consume(TimeSpan.FromMilliseconds(250));
        if (first is null || first.IsPartitionEOF)
        {
            return batch;
        }

        batch.Add(first);
        var deadline = DateTime.UtcNow + _options.ConsumerBatchWindow;
        while (batch.Count < _options.ConsumerBatchSize && !ct.IsCancellationRequested)
        {
            var remaining = deadline - DateTime.UtcNow;
            var next = remaining > TimeSpan.Zero ? consumer.Consume(remaining) : consumer.Consume(TimeSpan.Zero);
            if (next is null)
            {
                break;
            }

            if (!next.IsPartitionEOF)
            {
                batch.Add(next);
            }
        }

        return batch;
    }

    private async Task ProcessAsync(IConsumer<string, byte[]> consumer, List<ConsumeResult<string, byte[]>> batch, CancellationToken ct)
    {
        var requests = new List<IssueRequested>(batch.Count);
        var parents = new List<ActivityContext>(batch.Count);
        metrics.ConsumerBatchSize.Record(batch.Count);
        foreach (var result in batch)
        {
            try
            {
                requests.Add(IssueRequested.Parse(result.Message.Value));
                parents.Add(CouponTracing.ExtractContext(result.Message.Headers));
            }
            catch (FormatException ex)
            {
                await DeadLetterAsync(result, ex);
            }
        }

        if (requests.Count > 0)
        {
            var decisions = await _dbRetry.ExecuteAsync(async token => await store.ApplyBatchAsync(requests, token, parents), ct);
            health.DatabaseFailing = false;
            health.RecordApplied(decisions.Count);
            RecordEndToEnd(requests, decisions);
            foreach (var group in decisions.GroupBy(d => (d.Status, d.Reason)))
            {
                metrics.ConsumerDecisions.Add(group.Count(),
                    new KeyValuePair<string, object?>("status", group.Key.Status), new KeyValuePair<string, object?>("reason", group.Key.Reason ?? "none"));
            }
        }

        Commit(consumer, batch);
    }

    private void RecordEndToEnd(List<IssueRequested> requests, IReadOnlyList<IssueDecision> decisions)
    {
        // Only requests decided now: a redelivered one was decided (and measured) the first time.
        var requestedAt = requests.DistinctBy(r => r.RequestId).ToDictionary(r => r.RequestId, r => r.RequestedAt);
        var now = clock.GetUtcNow();
        foreach (var decision in decisions)
        {
            metrics.EndToEndDuration.Record((now - requestedAt[decision.RequestId]).TotalSeconds);
        }
    }

    private static void Rewind(IConsumer<string, byte[]> consumer, List<ConsumeResult<string, byte[]>> batch)
    {
        foreach (var partition in batch.GroupBy(r => r.TopicPartition))
        {
            try
            {
                consumer.Seek(new TopicPartitionOffset(partition.Key, partition.Min(r => r.Offset.Value)));
            }
            catch (KafkaException)
            {
                // No longer assigned here: its new owner starts from the last commit, which is before this batch.
            }
        }
    }

    private void Commit(IConsumer<string, byte[]> consumer, List<ConsumeResult<string, byte[]>> batch)
    {
        var offsets = batch.GroupBy(r => r.TopicPartition)
            .Select(g => new TopicPartitionOffset(g.Key, g.Max(r => r.Offset.Value) + 1))
            .ToList();
        try
        {
            consumer.Commit(offsets);
        }
        catch (KafkaException ex)
        {
            // E.g. a rebalance bumped the group generation. A partition we kept would otherwise never get this commit
            // (its lag would stay above 0 and block gate rebuilds and reconciliation), so read the batch again: the
            // store skips what is already decided and the next commit succeeds. A partition we lost is re-read by its new owner.
            CommitFailed(logger, ex.Error.Code.ToString(), ex.Error.Reason);
            Rewind(consumer, batch);
        }
    }

    private async Task DeadLetterAsync(ConsumeResult<string, byte[]> result, FormatException error)
    {
        var headers = new Headers
        {
            { "dlq-error", Encoding.UTF8.GetBytes(error.Message) },
            { "dlq-source", Encoding.UTF8.GetBytes(result.TopicPartitionOffset.ToString()) },
            { "dlq-at", Encoding.UTF8.GetBytes(DateTimeOffset.UtcNow.ToString("O")) },
        };
        await producer.ProduceAsync(_options.DeadLetterTopic, new Message<string, byte[]>
        {
            Key = result.Message.Key,
            Value = result.Message.Value,
            Headers = headers,
        });
        metrics.DeadLettered.Add(1);
        DeadLettered(logger, result.TopicPartitionOffset.ToString(), error.Message);
    }

    private IConsumer<string, byte[]> BuildConsumer() =>
        new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = _options.BootstrapServers,
            GroupId = _options.ConsumerGroup,
            ClientId = "coupons-api-consumer",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            SessionTimeoutMs = 10_000,
            HeartbeatIntervalMs = 1_000,
            ReconnectBackoffMaxMs = 1_000,
            // A fetch waits at most this long for data. librdkafka's 500 ms default showed up as ~250-500 ms of
            // 202 -> row latency against the mock broker; an idle consumer asking 10 times a second costs nothing.
            FetchWaitMaxMs = 100,
        })
        .SetErrorHandler((_, e) => KafkaLog.ClientError(logger, e.Code.ToString(), e.Reason))
        .SetLogHandler((_, m) => KafkaLog.Client(logger, m.Level.ToString(), m.Facility, m.Message))
        .Build();

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "Batch write failed (attempt {Attempt}), retrying: {ExceptionType} {Reason}")]
    private static partial void BatchFailed(ILogger logger, int attempt, string exceptionType, string reason);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Consuming {Topic} as group {Group}")]
    private static partial void Started(ILogger logger, string topic, string group);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Consumer stopped")]
    private static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Offset commit failed ({Code}): {Reason}")]
    private static partial void CommitFailed(ILogger logger, string code, string reason);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Malformed message at {Source} sent to dead-letter topic: {Error}")]
    private static partial void DeadLettered(ILogger logger, string source, string error);
}
