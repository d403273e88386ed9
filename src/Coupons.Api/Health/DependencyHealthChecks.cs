using Confluent.Kafka;
using Coupons.Consumer;
using Coupons.Infrastructure.Database;
using Coupons.Infrastructure.Kafka;
using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Coupons.Health;

public sealed class DatabaseHealthCheck(IDbConnectionFactory connections) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var connection = await connections.OpenAsync(ct);
            await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: ct));
            return HealthCheckResult.Healthy(connections.Dialect.Provider.ToString());
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("database unreachable: " + ex.GetType().Name);
        }
    }
}

public sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy($"ping {latency.TotalMilliseconds:F1} ms");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("redis unreachable: " + ex.GetType().Name);
        }
    }
}

/// <summary>Kafka is healthy when a broker answers a metadata request for the request topic within a second.</summary>
public sealed class KafkaHealthCheck(IProducer<string, byte[]> producer, IOptions<KafkaOptions> options) : IHealthCheck, IDisposable
{
    private readonly IAdminClient _admin = new DependentAdminClientBuilder(producer.Handle).Build();

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var metadata = await Task.Run(() => _admin.GetMetadata(options.Value.Topic, TimeSpan.FromSeconds(1)), ct);
            var topic = metadata.Topics.FirstOrDefault();
            return metadata.Brokers.Count > 0 && topic is { Error.IsError: false }
                ? HealthCheckResult.Healthy($"{metadata.Brokers.Count} brokers, {topic.Partitions.Count} partitions")
                : HealthCheckResult.Unhealthy("no broker or topic metadata");
        }
        catch (KafkaException ex)
        {
            return HealthCheckResult.Unhealthy("kafka unreachable: " + ex.Error.Code);
        }
    }

    public void Dispose() => _admin.Dispose();
}

/// <summary>The consumer is healthy while its poll loop turns and the database accepts its batches.</summary>
public sealed class ConsumerHealthCheck(ConsumerHealth health, IOptions<KafkaOptions> options, TimeProvider clock) : IHealthCheck
{
    private static readonly TimeSpan MaxSilence = TimeSpan.FromSeconds(30);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        if (!options.Value.RunConsumer)
        {
            return Task.FromResult(HealthCheckResult.Healthy("consumer disabled on this instance"));
        }

        var result = health switch
        {
            { LastPoll: null } => HealthCheckResult.Degraded("consumer has not polled yet"),
            { DatabaseFailing: true } => HealthCheckResult.Unhealthy("consumer cannot write to the database; retrying"),
            _ when clock.GetUtcNow() - health.LastPoll > MaxSilence => HealthCheckResult.Unhealthy("consumer poll loop stalled"),
            _ => HealthCheckResult.Healthy($"{health.Applied} requests applied"),
        };
        return Task.FromResult(result);
    }
}
