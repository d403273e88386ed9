using System.Diagnostics;
using Confluent.Kafka;
using Coupons.Infrastructure.Kafka;
using Coupons.Ops;
using Coupons.Requests;

namespace Coupons.Consumer;

/// <summary>
/// Consumer group <c>coupon-issue-service</c>: reads accepted requests in batches, writes each batch in one
/// database transaction (<see cref="ConsumerBatchWriter"/>), and only then commits the offsets. A crash before the
/// commit means redelivery, which the idempotent store absorbs (design.md §2, I5). While a write waits for the database
/// (an outage of any length), this loop keeps polling with its partitions paused, so the group keeps this member and
/// nothing is skipped or committed early. A message that can never be applied goes to the dead-letter topic with its
/// reason (design.md §2, I7). Whatever breaks, the loop starts over with a new consumer: it never stops the host.
/// This class supervises the loop and handles a batch; how it reads is <see cref="ConsumerPolling"/>'s, what it commits
/// <see cref="ConsumerCommits"/>', and the client's settings <see cref="ConsumerClient"/>'s.
/// </summary>
public sealed partial class ConsumerLoop(
    IOptions<KafkaOptions> options,
    ConsumerBatchWriter writer,
    DeadLetterWriter deadLetters,
    ConsumerHealth health,
    CouponMetrics metrics,
    TimeProvider clock,
    ILogger<ConsumerLoop> logger) : BackgroundService
{
    /// <summary>A write taking longer than this makes the loop hold its partitions and poll while it waits.</summary>
    private static readonly TimeSpan HoldAfter = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(2);

    private readonly KafkaOptions _options = options.Value;
    private readonly ConsumerPolling _polling = new(options.Value, clock, logger);

    /// <summary>
    /// Decided but not yet committed; belongs to the current consumer (a new one starts from the group's commits).
    /// </summary>
    private ConsumerCommits _commits = new(clock, logger);

    /// <summary>
    /// Dead letters written for the batch in hand: a batch read again after a failure does not write them twice.
    /// </summary>
    private readonly HashSet<TopicPartitionOffset> _deadLettered = [];

    /// <summary>A rebalance assigned partitions since the loop last looked (set on the polling thread).</summary>
    private bool _assigned;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.RunConsumer)
        {
            // Kafka:RunConsumer=false: an instance that only takes clicks; others in the group write them.
            return Task.CompletedTask;
        }

        // librdkafka's Consume blocks; keep it off the thread pool.
        return Task.Factory.StartNew(() => Supervise(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// Runs the loop until the host stops; anything that escapes it is logged and the loop starts over.
    /// </summary>
    private void Supervise(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Run(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Nothing was committed that was not written; a new consumer re-reads from the last commit.
                health.RecordRestart();
                metrics.ConsumerRestarts.Add(1);
                Restarting(logger, ex.GetType().Name, ex.Message);
                stoppingToken.WaitHandle.WaitOne(RestartDelay);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private void Run(CancellationToken stoppingToken)
    {
        _commits = new ConsumerCommits(clock, logger);
        _deadLettered.Clear();
        using var consumer = ConsumerClient.Build(_options, _commits, logger, () => _assigned = true);
        consumer.Subscribe(_options.Topic);
        Started(logger, _options.Topic, _options.ConsumerGroup);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (health.PauseRequested)
                {
                    _polling.Hold(consumer);
                    health.Holding = true;
                    health.LastPoll = clock.GetUtcNow();
                    continue;
                }

                // librdkafka keeps a partition's pause across a revoke and a later assignment: one paused here, moved
                // to another instance and handed back after the resume would never be read again. So every assignment
                // not held is resumed, as the whole assignment is when a hold ends.
                if (health.Holding || _assigned)
                {
                    consumer.Resume(consumer.Assignment);
                    health.Holding = false;
                    _assigned = false;
                }

                var batch = _polling.ReadBatch(consumer, stoppingToken);
                health.LastPoll = clock.GetUtcNow();
                health.AssignedPartitions = consumer.Assignment.Count;
                if (batch.Count > 0)
                {
                    Process(consumer, batch, stoppingToken);
                }
                else
                {
                    _commits.CommitDecided(consumer);
                }
            }
        }
        finally
        {
            health.AssignedPartitions = 0;
            // Leave the group cleanly so partitions move to other instances at once; uncommitted work is redelivered.
            try
            {
                consumer.Close();
            }
            catch (KafkaException ex)
            {
                CloseFailed(logger, ex.Error.Code.ToString(), ex.Error.Reason);
            }

            Stopped(logger);
        }
    }

    private void Process(IConsumer<string, byte[]> consumer, List<ConsumeResult<string, byte[]>> batch, CancellationToken ct)
    {
        metrics.ConsumerBatchSize.Record(batch.Count);
        var requests = new List<IssueRequested>(batch.Count);
        var parents = new List<ActivityContext>(batch.Count);
        // By reference: each parsed message is its own object, so copies of one request id map to their own offsets.
        var sources = new Dictionary<IssueRequested, ConsumeResult<string, byte[]>>(ReferenceEqualityComparer.Instance);
        var unreadable = new List<(ConsumeResult<string, byte[]> Source, string Reason, string Detail)>();
        foreach (var result in batch)
        {
            var decoded = IssueRequestDecoder.Decode(result.Message);
            if (decoded.Request is { } request)
            {
                requests.Add(request);
                parents.Add(decoded.Parent);
                sources[request] = result;
            }
            else
            {
                unreadable.Add((result, decoded.Reason!, decoded.Detail!));
            }
        }

        try
        {
            var written = requests.Count == 0 ? new BatchResult([], []) : WriteHolding(consumer, requests, parents, ct);
            RecordDecisions(requests, written.Decisions);
            foreach (var (source, reason, detail) in unreadable.Concat(written.Unappliable.Select(u => (sources[u.Request], u.Reason, u.Detail))))
            {
                if (!_deadLettered.Contains(source.TopicPartitionOffset))
                {
                    deadLetters.WriteAsync(source, reason, detail).GetAwaiter().GetResult();
                    _deadLettered.Add(source.TopicPartitionOffset);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // E.g. the dead-letter topic refused a write. Nothing of this batch is committed; rewind so the next poll
            // reads it again instead of skipping it (what was written is recognised and not written twice).
            Rewind(consumer, batch);
            BatchNotFinished(logger, ex.GetType().Name, ex.Message);
            ct.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
            return;
        }

        _deadLettered.Clear(); // the batch is decided: none of it is read again by this consumer
        _commits.Decided(batch);
        _commits.CommitDecided(consumer);
    }

    /// <summary>
    /// Writes the batch on the thread pool while this thread keeps the group membership: after <see cref="HoldAfter"/>
    /// it pauses every partition and polls until the write is done, however long the database takes.
    /// </summary>
    private BatchResult WriteHolding(IConsumer<string, byte[]> consumer, List<IssueRequested> requests, List<ActivityContext> parents, CancellationToken ct)
    {
        var write = Task.Run(() => writer.WriteAsync(requests, parents, ct), ct);
        if (write.Wait(HoldAfter, CancellationToken.None))
        {
            return write.GetAwaiter().GetResult();
        }

        while (!write.IsCompleted)
        {
            _polling.Hold(consumer);
            health.LastPoll = clock.GetUtcNow();
        }

        if (!health.PauseRequested)
        {
            consumer.Resume(consumer.Assignment);
        }

        return write.GetAwaiter().GetResult();
    }

    private void RecordDecisions(List<IssueRequested> requests, IReadOnlyList<IssueDecision> decisions)
    {
        health.RecordApplied(decisions.Count);
        // The end-to-end time of every request decided in this batch (a redelivered one reports its first decision
        // again).
        var requestedAt = requests.DistinctBy(r => r.RequestId).ToDictionary(r => r.RequestId, r => r.RequestedAt);
        var now = clock.GetUtcNow();
        foreach (var decision in decisions)
        {
            metrics.EndToEndDuration.Record((now - requestedAt[decision.RequestId]).TotalSeconds);
        }

        foreach (var group in decisions.GroupBy(d => (d.Status, d.Reason)))
        {
            metrics.ConsumerDecisions.Add(group.Count(),
                new KeyValuePair<string, object?>("status", group.Key.Status), new KeyValuePair<string, object?>("reason", group.Key.Reason ?? "none"));
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

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Consuming {Topic} as group {Group}")]
    private static partial void Started(ILogger logger, string topic, string group);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Consumer stopped")]
    private static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Warning, Message = "Batch not finished, read again: {ExceptionType} {Reason}")]
    private static partial void BatchNotFinished(ILogger logger, string exceptionType, string reason);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Error, Message = "Consumer loop failed and starts over with a new consumer: {ExceptionType} {Reason}")]
    private static partial void Restarting(ILogger logger, string exceptionType, string reason);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Warning, Message = "Consumer close failed ({Code}): {Reason}")]
    private static partial void CloseFailed(ILogger logger, string code, string reason);
}
