using System.Diagnostics;
using Confluent.Kafka;
using Coupons.Infrastructure.Kafka;
using Coupons.Ops;

namespace Coupons.Issuance;

/// <summary>
/// Consumer group <c>coupon-issue-service</c>: reads accepted requests in batches, writes each batch in one
/// database transaction (<see cref="ConsumerBatchWriter"/>), and only then commits the offsets. A crash before the
/// commit means redelivery, which the idempotent store absorbs (design.md §2, I5). While a write waits for the database
/// (an outage of any length), this loop keeps polling with its partitions paused, so the group keeps this member and
/// nothing is skipped or committed early. A message that can never be applied goes to the dead-letter topic with its
/// reason (design.md §2, I7). Whatever breaks, the loop starts over with a new consumer: it never stops the host.
/// </summary>
public sealed partial class IssueRequestConsumer(
    IOptions<KafkaOptions> options,
    ConsumerBatchWriter writer,
    DeadLetterWriter deadLetters,
    ConsumerHealth health,
    CouponMetrics metrics,
    TimeProvider clock,
    ILogger<IssueRequestConsumer> logger) : BackgroundService
{
    /// <summary>A write taking longer than this makes the loop hold its partitions and poll while it waits.</summary>
    private static readonly TimeSpan HoldAfter = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan CommitRetryEvery = TimeSpan.FromSeconds(1);

    private readonly KafkaOptions _options = options.Value;

    /// <summary>Decided but not yet committed; belongs to the current consumer (a new one starts from the group's commits).</summary>
    private DecidedOffsets _decided = new();
    private DateTimeOffset _commitRetryAt = DateTimeOffset.MinValue;

    /// <summary>Dead letters written for the batch in hand: a batch read again after a failure does not write them twice.</summary>
    private readonly HashSet<TopicPartitionOffset> _deadLettered = [];

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

    /// <summary>Runs the loop until the host stops; anything that escapes it is logged and the loop starts over.</summary>
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
        _decided = new DecidedOffsets();
        _commitRetryAt = DateTimeOffset.MinValue;
        _deadLettered.Clear();
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
                    health.LastPoll = clock.GetUtcNow();
                    continue;
                }

                if (health.Holding)
                {
                    consumer.Resume(consumer.Assignment);
                    health.Holding = false;
                }

                var batch = ReadBatch(consumer, stoppingToken);
                health.LastPoll = clock.GetUtcNow();
                health.AssignedPartitions = consumer.Assignment.Count;
                if (batch.Count > 0)
                {
                    Process(consumer, batch, stoppingToken);
                }
                else
                {
                    CommitDecided(consumer);
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

    /// <summary>
    /// Paused (by an operator, or while a write waits): poll (so the group keeps this member) with every assigned
    /// partition paused. A partition assigned by a rebalance meanwhile is not paused yet; a message it yields is put back unread.
    /// </summary>
    private void Hold(IConsumer<string, byte[]> consumer)
    {
        consumer.Pause(consumer.Assignment);
        var stray = Poll(consumer, TimeSpan.FromMilliseconds(50)); // short: a resume acts within 50 ms
        if (stray is { IsPartitionEOF: false })
        {
            consumer.Pause([stray.TopicPartition]);
            consumer.Seek(stray.TopicPartitionOffset);
        }
    }

    private List<ConsumeResult<string, byte[]>> ReadBatch(IConsumer<string, byte[]> consumer, CancellationToken ct)
    {
        var batch = new List<ConsumeResult<string, byte[]>>();
        var first = Poll(consumer, TimeSpan.FromMilliseconds(250));
        if (first is null || first.IsPartitionEOF)
        {
            return batch;
        }

        batch.Add(first);
        var deadline = clock.GetUtcNow() + _options.ConsumerBatchWindow;
        while (batch.Count < _options.ConsumerBatchSize && !ct.IsCancellationRequested)
        {
            var remaining = deadline - clock.GetUtcNow();
            var next = Poll(consumer, remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
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

    /// <summary>
    /// One poll. An error the client reports through Consume (e.g. the poll interval was exceeded and the member left
    /// the group) is logged; librdkafka rejoins on the next poll, and uncommitted messages are read again.
    /// </summary>
    private ConsumeResult<string, byte[]>? Poll(IConsumer<string, byte[]> consumer, TimeSpan timeout)
    {
        try
        {
            return consumer.Consume(timeout);
        }
        catch (ConsumeException ex) when (!ex.Error.IsFatal)
        {
            PollFailed(logger, ex.Error.Code.ToString(), ex.Error.Reason);
            return null;
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
        _decided.Decided(batch.GroupBy(r => r.TopicPartition).Select(g => new TopicPartitionOffset(g.Key, g.Max(r => r.Offset.Value) + 1)));
        CommitDecided(consumer);
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
            Hold(consumer);
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
        // The end-to-end time of every request decided in this batch (a redelivered one reports its first decision again).
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

    /// <summary>
    /// Commits what is decided on the partitions this member owns. A refusal (a rebalance bumped the generation, the
    /// coordinator moved) leaves it pending, tried again at most once per <see cref="CommitRetryEvery"/> until it lands.
    /// </summary>
    private void CommitDecided(IConsumer<string, byte[]> consumer)
    {
        if (!_decided.Any || clock.GetUtcNow() < _commitRetryAt)
        {
            return;
        }

        _decided.KeepOnly(consumer.Assignment);
        var pending = _decided.Pending(consumer.Assignment);
        if (pending.Count == 0)
        {
            return;
        }

        try
        {
            consumer.Commit(pending);
            _decided.Committed(pending);
            _commitRetryAt = DateTimeOffset.MinValue;
        }
        catch (KafkaException ex)
        {
            if (ex is TopicPartitionOffsetException partial)
            {
                _decided.Committed(partial.Results.Where(r => !r.Error.IsError).Select(r => r.TopicPartitionOffset));
            }

            CommitFailed(logger, ex.Error.Code.ToString(), ex.Error.Reason);
            _commitRetryAt = clock.GetUtcNow() + CommitRetryEvery;
        }
    }

    /// <summary>Partitions leaving this member (a cooperative rebalance): commit what is decided on them while it still can.</summary>
    private void OnRevoked(IConsumer<string, byte[]> consumer, List<TopicPartitionOffset> revoked)
    {
        var partitions = revoked.Select(r => r.TopicPartition).ToList();
        var pending = _decided.Pending(partitions);
        if (pending.Count > 0)
        {
            try
            {
                consumer.Commit(pending);
            }
            catch (KafkaException ex)
            {
                // Their next owner starts from the last commit and re-reads what this member decided (I5).
                CommitFailed(logger, ex.Error.Code.ToString(), ex.Error.Reason);
            }
        }

        _decided.Forget(partitions);
    }

    private IConsumer<string, byte[]> BuildConsumer() =>
        new ConsumerBuilder<string, byte[]>(_options.ApplySecurity(new ConsumerConfig
        {
            BootstrapServers = _options.BootstrapServers,
            GroupId = _options.ConsumerGroup,
            ClientId = "coupons-api-consumer",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            SessionTimeoutMs = (int)_options.ConsumerSessionTimeout.TotalMilliseconds,
            HeartbeatIntervalMs = 1_000,
            MaxPollIntervalMs = (int)_options.ConsumerMaxPollInterval.TotalMilliseconds,
            ReconnectBackoffMaxMs = 1_000,
            // A fetch waits at most this long for data. librdkafka's 500 ms default showed up as ~250-500 ms of
            // 202 -> row latency against the mock broker; an idle consumer asking 10 times a second costs nothing.
            FetchWaitMaxMs = 100,
            Debug = string.IsNullOrWhiteSpace(_options.ConsumerDebug) ? null : _options.ConsumerDebug,
            // No headers: the client copies every header of a record whole into managed memory, and a compressed record's
            // 300 MB header stopped the consumer for good under a 256 MB heap (hostile review 2, issue 21). Nothing here
            // needs one: the trace context travels in the message itself (IssueRequested.TraceParent).
            ConsumeResultFields = "topic,timestamp",
        }))
        // Only the head of a key or value reaches managed memory, whatever a compressed record unpacks to (design.md
        // §2, I7).
        .SetKeyDeserializer(HeadDeserializers.Key(DeadLetterWriter.KeptKeyBytes))
        .SetValueDeserializer(HeadDeserializers.Value(DeadLetterWriter.KeptBytes + 1))
        .SetPartitionsRevokedHandler(OnRevoked)
        .SetPartitionsLostHandler((_, lost) => _decided.Forget(lost.Select(l => l.TopicPartition)))
        .SetErrorHandler((_, e) => KafkaLog.ClientError(logger, e.Code.ToString(), e.Reason))
        .SetLogHandler((_, m) => KafkaLog.Client(logger, m.Level.ToString(), m.Facility, m.Message))
        .Build();

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Consuming {Topic} as group {Group}")]
    private static partial void Started(ILogger logger, string topic, string group);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Consumer stopped")]
    private static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Offset commit failed ({Code}): {Reason}")]
    private static partial void CommitFailed(ILogger logger, string code, string reason);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Warning, Message = "Batch not finished, read again: {ExceptionType} {Reason}")]
    private static partial void BatchNotFinished(ILogger logger, string exceptionType, string reason);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Error, Message = "Consumer loop failed and starts over with a new consumer: {ExceptionType} {Reason}")]
    private static partial void Restarting(ILogger logger, string exceptionType, string reason);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "Consumer poll reported {Code}: {Reason}; it goes on (a member that left the group rejoins)")]
    private static partial void PollFailed(ILogger logger, string code, string reason);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Warning, Message = "Consumer close failed ({Code}): {Reason}")]
    private static partial void CloseFailed(ILogger logger, string code, string reason);
}
