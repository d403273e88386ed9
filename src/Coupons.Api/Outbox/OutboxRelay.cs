using System.Data.Common;
using System.Diagnostics.Metrics;
using System.Text;
using Confluent.Kafka;
using Coupons.Infrastructure.Database;
using Coupons.Infrastructure.Kafka;
using Coupons.Ops;
using Dapper;

namespace Coupons.Outbox;

/// <summary>
/// Publishes the outbox, one instance at a time (MySQL's named lock; SQLite has one instance). Each round sends the
/// oldest waiting event of each key (user) on the page (<see cref="OutboxRound"/>), so a key's next event is sent only
/// after Kafka acknowledged the one before: one user's events reach the topic in their order even when a send fails.
/// An event is marked published once acknowledged; a crash between the acknowledgement and the mark sends it again (at
/// least once, never lost). A key whose send failed sits out a few seconds (<see cref="OutboxBackoff"/>), so a
/// partition that is down holds back its own users only. A session that loses the lock mid-round (its connection cut)
/// may see another instance send the same events: duplicates, deduplicated by eventId.
/// </summary>
public sealed class OutboxRelay
{
    private const string LockName = "coupons.outbox.relay";

    private readonly IDbConnectionFactory _connections;
    private readonly IProducer<string, byte[]> _producer;
    private readonly OutboxOptions _options;
    private readonly TimeProvider _clock;
    private readonly string _topic;
    private readonly Counter<long> _published;
    private readonly OutboxBackoff _backoff = new();
    private double? _oldestAge;
    private DateTime _nextCleanup;

    public OutboxRelay(IDbConnectionFactory connections, IProducer<string, byte[]> producer, IOptions<OutboxOptions> options, IOptions<KafkaOptions> kafka, TimeProvider clock,
        CouponMetrics metrics)
    {
        (_connections, _producer, _options, _clock, _topic) = (connections, producer, options.Value, clock, kafka.Value.EventsTopic);
        _published = metrics.Counter("coupons.outbox.published", description: "Shop events this instance published from the outbox.");
        metrics.Gauge<double>("coupons.outbox.oldest.age", () => _oldestAge is { } age ? [new Measurement<double>(age)] : [], "s",
            "Age of the oldest event not yet published, at this instance's last round as the relay (0: none waiting); absent where another instance relays.");
    }

    /// <returns>The size of the page read when the round published something (a full page: the loop goes again at
    /// once), else 0; null when another instance holds the relay's lock.</returns>
    public async Task<int?> PublishPendingAsync(CancellationToken ct)
    {
        try
        {
            return await PublishAsync(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _oldestAge = null; // a relay that cannot read the outbox reports nothing: CouponsOutboxNotRelayed
            throw;
        }
    }

    private async Task<int?> PublishAsync(CancellationToken ct)
    {
        await using var connection = await _connections.OpenAsync(ct);
        if (!await TakeLockAsync(connection, ct))
        {
            _oldestAge = null;
            return null;
        }

        try
        {
            var now = _clock.GetUtcNow().UtcDateTime;
            var blocked = _backoff.Blocked(now);
            var page = (await connection.QueryAsync<OutboxRow>(new CommandDefinition(
                "SELECT id, event_type, event_key, payload, created_at FROM outbox_events WHERE published_at IS NULL" +
                (blocked.Count > 0 ? " AND event_key NOT IN @blocked" : "") + " ORDER BY id LIMIT @limit",
                new { limit = _options.BatchSize, blocked }, cancellationToken: ct))).AsList();
            var oldest = blocked.Count == 0 ? page.FirstOrDefault()?.CreatedAt : await OldestWaitingAsync(connection, ct);
            _oldestAge = oldest is { } at ? Math.Max(0, (now - at).TotalSeconds) : 0;
            var published = await ProduceAsync(OutboxRound.Choose(page, row => row.EventKey), now);
            foreach (var chunk in published.Chunk(MultiRowInsert.RowsPerStatement))
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE outbox_events SET published_at = @now WHERE id IN @ids", new { now, ids = chunk }, cancellationToken: CancellationToken.None));
            }

            _published.Add(published.Count);
            await CleanUpAsync(connection, now, ct);
            return published.Count == 0 ? 0 : page.Count;
        }
        finally
        {
            await ReleaseLockAsync(connection);
        }
    }

    private static async Task<DateTime?> OldestWaitingAsync(DbConnection connection, CancellationToken ct) =>
        await connection.QueryFirstOrDefaultAsync<DateTime?>(new CommandDefinition(
            "SELECT created_at FROM outbox_events WHERE published_at IS NULL ORDER BY id LIMIT 1", cancellationToken: ct));

    /// <summary>
    /// Sends the chosen events at once (one per key: a key's next event goes only after this one was acknowledged, in a
    /// later round) and returns the ids Kafka acknowledged; a key whose event failed is left out of the next rounds for
    /// a few seconds, so a partition that is down cannot fill every page and hold back everyone else.
    /// </summary>
    private async Task<List<long>> ProduceAsync(IReadOnlyList<OutboxRow> rows, DateTime now)
    {
        var deliveries = rows.Select(row => _producer.ProduceAsync(_topic, new Message<string, byte[]>
        {
            Key = row.EventKey,
            Value = Encoding.UTF8.GetBytes(row.Payload),
            Headers = new Headers { { "event-type", Encoding.UTF8.GetBytes(row.EventType) } },
        })).ToList();
        var published = new List<long>();
        for (var i = 0; i < rows.Count; i++)
        {
            try
            {
                await deliveries[i];
                published.Add(rows[i].Id);
                _backoff.Clear(rows[i].EventKey);
            }
            catch (KafkaException)
            {
                _backoff.Hold(rows[i].EventKey, now);
            }
        }

        return published;
    }

    /// <summary>
    /// Deletes events published longer than <see cref="OutboxOptions.KeepPublished"/> ago: a page of 5,000 a second
    /// while pages come back full (a purge after a big sale is spread over rounds, never one long hold of the lock),
    /// then again a minute later.
    /// </summary>
    private async Task CleanUpAsync(DbConnection connection, DateTime now, CancellationToken ct)
    {
        if (now < _nextCleanup)
        {
            return;
        }

        var old = (await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT id FROM outbox_events WHERE published_at < @cutoff ORDER BY published_at LIMIT 5000",
            new { cutoff = now - _options.KeepPublished }, cancellationToken: ct))).AsList();
        foreach (var chunk in old.Chunk(MultiRowInsert.RowsPerStatement))
        {
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM outbox_events WHERE id IN @ids", new { ids = chunk }, cancellationToken: ct));
        }

        _nextCleanup = old.Count < 5000 ? now.AddMinutes(1) : now.AddSeconds(1);
    }

    private async Task<bool> TakeLockAsync(DbConnection connection, CancellationToken ct) =>
        _connections.Dialect.Provider != DatabaseProvider.MySql
        || await connection.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT GET_LOCK(@name, 0)", new { name = LockName }, cancellationToken: ct)) == 1;

    private async Task ReleaseLockAsync(DbConnection connection)
    {
        if (_connections.Dialect.Provider == DatabaseProvider.MySql)
        {
            try
            {
                await connection.ExecuteAsync("DO RELEASE_LOCK(@name)", new { name = LockName });
            }
            catch (DbException)
            {
                // The lock is the session's: it goes with the connection if this fails.
            }
        }
    }

    private sealed class OutboxRow
    {
        public long Id { get; init; }

        public string EventType { get; init; } = "";

        public string EventKey { get; init; } = "";

        public string Payload { get; init; } = "";

        public DateTime CreatedAt { get; init; }
    }
}
