using System.Data.Common;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Coupons.Consumer;
using Coupons.Infrastructure;
using Coupons.Infrastructure.Database;
using Coupons.Infrastructure.Kafka;
using Coupons.Infrastructure.Redis;
using Coupons.Issuance;
using Coupons.Ops;
using Dapper;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace Coupons.Health;

/// <summary>
/// Probes MySQL, Redis and Kafka every few seconds and publishes what it saw as gauges: dependency up/down,
/// consumer lag per partition, parked requests, circuit states. Alerts are written against these, so
/// detection does not depend on traffic happening to fail.
/// </summary>
public sealed class DependencyMonitorLoop : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private readonly IDbConnectionFactory _db;
    private readonly IConnectionMultiplexer _redis;
    private readonly ConsumerLag _lag;
    private readonly ParkedRequests _parked;
    private readonly TimeProvider _clock;
    private volatile Snapshot _snapshot = new(-1, -1, -1, -1, []);

    public DependencyMonitorLoop(
        IDbConnectionFactory db, IConnectionMultiplexer redis, ConsumerLag lag, ParkedRequests parked,
        RedisCircuit redisCircuit, IssueRequestPublisher publisher, ConsumerHealth consumer, CouponMetrics metrics, TimeProvider clock)
    {
        _db = db;
        _redis = redis;
        _lag = lag;
        _parked = parked;
        _clock = clock;
        metrics.Gauge("coupons.dependency.up", () => Up(), description: "1 when the last probe of the dependency succeeded, 0 when it failed.");
        metrics.Gauge("coupons.consumer.lag", () => _snapshot.Lag.Select(p => new Measurement<long>(p.Lag, new KeyValuePair<string, object?>("partition", p.Partition))),
            description: "Messages on coupon.issue.requested not yet committed by the consumer group, per partition.");
        metrics.Gauge<long>("coupons.parked.requests", () => _snapshot.Parked < 0 ? [] : [new Measurement<long>(_snapshot.Parked)],
            description: "Requests parked in the database waiting for Kafka.");
        metrics.Gauge<int>("coupons.circuit.state", () =>
            [
                CircuitMeasurement("redis", redisCircuit.State.CircuitState),
                CircuitMeasurement("kafka", publisher.CircuitState.CircuitState),
            ],
            description: "0 closed, 1 open, 2 half-open, 3 isolated.");
        metrics.Gauge<int>("coupons.consumer.assigned.partitions", () => [new Measurement<int>(consumer.AssignedPartitions)],
            description: "Partitions of the request topic this instance consumes now (0: outside the group, or mid-rebalance).");
        metrics.Gauge<int>("coupons.consumer.paused", () => [new Measurement<int>(consumer.PauseRequested ? 1 : 0)],
            description: "1 while an operator has paused this instance's consumer (admin API).");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, _clock);
        do
        {
            _snapshot = await ProbeAsync(stoppingToken);
        }
        while (await timer.TickAsync(stoppingToken));
    }

    private async Task<Snapshot> ProbeAsync(CancellationToken ct)
    {
        var db = await ProbeAsync<DbException>(async () =>
        {
            await using var connection = await _db.OpenAsync(ct);
            await connection.ExecuteScalarAsync<int>("SELECT 1");
        });
        var redis = await ProbeAsync<RedisException>(async () => await _redis.GetDatabase().PingAsync());
        IReadOnlyList<PartitionLag> lag = [];
        var kafka = await ProbeAsync<KafkaException>(async () => lag = await _lag.ReadAsync());
        long parked = -1;
        if (db == 1)
        {
            await ProbeAsync<DbException>(async () => parked = await _parked.CountAllAsync(ct));
        }

        return new Snapshot(db, redis, kafka, parked, lag);
    }

    private static async Task<int> ProbeAsync<TException>(Func<Task> probe)
        where TException : Exception
    {
        try
        {
            await probe().WaitAsync(TimeSpan.FromSeconds(3));
            return 1;
        }
        catch (Exception ex) when (ex is TException or TimeoutException or InvalidOperationException)
        {
            return 0;
        }
    }

    private IEnumerable<Measurement<int>> Up()
    {
        var s = _snapshot;
        foreach (var (name, value) in new[] { ("mysql", s.Db), ("redis", s.Redis), ("kafka", s.Kafka) })
        {
            if (value >= 0)
            {
                yield return new Measurement<int>(value, new KeyValuePair<string, object?>("dependency", name));
            }
        }
    }

    private static Measurement<int> CircuitMeasurement(string dependency, CircuitState state) =>
        new((int)state, new KeyValuePair<string, object?>("dependency", dependency));

    private sealed record Snapshot(int Db, int Redis, int Kafka, long Parked, IReadOnlyList<PartitionLag> Lag);
}
