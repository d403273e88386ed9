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
/// Publishes the outbox in id order, one instance at a time (MySQL's named lock; SQLite has one instance). An event is
/// marked published only once Kafka acknowledged it and every earlier event of the round with its key (its user), so a
/// failure leaves that user's later events for the next round, in their order, and holds back no one else's; a crash
/// between the acknowledgement and the mark publishes them again: at least once, never lost. A session that loses the
/// lock mid-round (its connection cut) may see another instance publish the same events: duplicates, in order per
/// key.
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

    /// <returns>How many events this round published; null when another instance holds the relay's lock.</returns>
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
            var rows = (await connection.QueryAsync<OutboxRow>(new CommandDefinition(
                "SELECT id, event_type, event_key, payload, created_at FROM outbox_events WHERE published_at IS NULL ORDER BY id LIMIT @limit",
                new { limit = _options.BatchSize }, cancellationToken: ct))).AsList();
            var now = _clock.GetUtcNow().UtcDateTime;
            _oldestAge = rows.Count == 0 ? 0 : Math.Max(0, (now - rows[0].CreatedAt).TotalSeconds);
            var published = await ProduceInOrderAsync(rows);
            foreach (var chunk in published.Chunk(MultiRowInsert.RowsPerStatement))
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE outbox_events SET published_at = @now WHERE id IN @ids", new { now, ids = chunk }, cancellationToken: CancellationToken.None));
            }

            _published.Add(published.Count);
            await CleanUpAsync(connection, now, ct);
            return published.Count;
        }
        finally
        {
            await ReleaseLockAsync(connection);
        }
    }

    /// <summary>Sends the round's events at once (the idempotent producer keeps their order per partition) and returns
    /// the ids of those acknowledged with no earlier failure of their key.</summary>
    private async Task<List<long>> ProduceInOrderAsync(List<OutboxRow> rows)
    {
        var deliveries = rows.Select(row => _producer.ProduceAsync(_topic, new Message<string, byte[]>
        {
            Key = row.EventKey,
            Value = Encoding.UTF8.GetBytes(row.Payload),
            Headers = new Headers { { "event-type", Encoding.UTF8.GetBytes(row.EventType) } },
        })).ToList();
        var published = new List<long>();
        var heldBack = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < rows.Count; i++)
        {
            try
            {
                await deliveries[i];
                if (!heldBack.Contains(rows[i].EventKey))
                {
                    published.Add(rows[i].Id);
                }
            }
            catch (KafkaException)
            {
                // This key's events from here on are sent again next round, in order; the others' are not held back.
                heldBack.Add(rows[i].EventKey);
            }
        }

        return published;
    }

    private async Task CleanUpAsync(DbConnection connection, DateTime now, CancellationToken ct)
    {
        if (now < _nextCleanup)
        {
            return;
        }

        _nextCleanup = now.AddMinutes(1);
        // Up to 100,000 a minute (a page of 5,000 at a time, until a page comes back short): a sale of millions is
        // cleared within the hour after it is kept long enough.
        for (var page = 0; page < 20; page++)
        {
            var old = (await connection.QueryAsync<long>(new CommandDefinition(
                "SELECT id FROM outbox_events WHERE published_at < @cutoff ORDER BY published_at LIMIT 5000",
                new { cutoff = now - _options.KeepPublished }, cancellationToken: ct))).AsList();
            foreach (var chunk in old.Chunk(MultiRowInsert.RowsPerStatement))
            {
                await connection.ExecuteAsync(new CommandDefinition("DELETE FROM outbox_events WHERE id IN @ids", new { ids = chunk }, cancellationToken: ct));
            }

            if (old.Count < 5000)
            {
                return;
            }
        }
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
