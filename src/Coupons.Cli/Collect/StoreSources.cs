using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using MySqlConnector;
using StackExchange.Redis;

namespace Coupons.Cli.Collect;

/// <summary>
/// The stores' own view, read only: MariaDB's processlist and InnoDB status, Redis INFO and SLOWLOG, Kafka's group
/// offsets.
/// </summary>
public static class StoreSources
{
    public static Task<string> ProcesslistAsync(string mysql) => QueryAsync(mysql, "SHOW FULL PROCESSLIST");

    /// <summary>
    /// The InnoDB monitor's text (locks, transactions, buffer pool), as <c>SHOW ENGINE INNODB STATUS\G</c> prints it.
    /// </summary>
    public static async Task<string> InnoDbStatusAsync(string mysql)
    {
        await using var connection = new MySqlConnection(mysql);
        await connection.OpenAsync();
        await using var command = new MySqlCommand("SHOW ENGINE INNODB STATUS", connection);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? reader.GetString(2) : "";
    }

    public static async Task<string> RedisInfoAsync(string redis)
    {
        await using var connection = await ConnectRedisAsync(redis);
        return await connection.GetServers()[0].InfoRawAsync("all") ?? "";
    }

    /// <summary>Redis's slow commands: each one's command name and key, never its values.</summary>
    public static async Task<string> RedisSlowlogAsync(string redis)
    {
        await using var connection = await ConnectRedisAsync(redis);
        var entries = await connection.GetServers()[0].SlowlogGetAsync(128);
        var text = new StringBuilder($"{entries.Length} entries (SLOWLOG GET 128), newest first{Environment.NewLine}");
        foreach (var e in entries)
        {
            // The command and its key only: the other arguments are values, and a value can be anything (a token, a
            // password).
            var args = e.Arguments.Select(a => a.ToString()).ToList();
            text.AppendLine($"#{e.UniqueId} {e.Time:u} {e.Duration.TotalMilliseconds:F3} ms {string.Join(' ', args.Take(2))}{(args.Count > 2 ? $" (+{args.Count - 2} arguments not shown)" : "")}");
        }

        return text.ToString();
    }

    /// <summary>
    /// The service's consumer group against its request topic: committed offset, log end and lag per partition. The
    /// group is named, not listed: listing and describing groups are not in every broker (the mock cluster has
    /// neither).
    /// </summary>
    public static async Task<string> ConsumerGroupAsync(string bootstrap, string group, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap, SocketTimeoutMs = 5000 }).Build();
        var timeout = TimeSpan.FromSeconds(10);
        var metadata = admin.GetMetadata(topic, timeout);
        var text = new StringBuilder($"brokers: {string.Join(", ", metadata.Brokers.Select(b => $"{b.BrokerId}@{b.Host}:{b.Port}"))}{Environment.NewLine}");
        var partitions = metadata.Topics.Single(t => t.Topic == topic).Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        var committed = (await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, partitions)], new ListConsumerGroupOffsetsOptions { RequestTimeout = timeout }))
            .Single().Partitions.ToDictionary(p => p.Partition.Value, p => p.Error.IsError ? -1 : p.Offset.Value);
        var ends = (await admin.ListOffsetsAsync(partitions.Select(tp => new TopicPartitionOffsetSpec { TopicPartition = tp, OffsetSpec = OffsetSpec.Latest() }),
                new ListOffsetsOptions { RequestTimeout = timeout }))
            .ResultInfos.ToDictionary(r => r.TopicPartitionOffsetError.Partition.Value, r => r.TopicPartitionOffsetError.Offset.Value);
        text.AppendLine($"group {group} on {topic} ({partitions.Count} partitions)");
        foreach (var p in metadata.Topics.Single(t => t.Topic == topic).Partitions.OrderBy(p => p.PartitionId))
        {
            var position = committed.GetValueOrDefault(p.PartitionId, -1);
            var end = ends.GetValueOrDefault(p.PartitionId, -1);
            text.AppendLine($"  partition {p.PartitionId}: leader {p.Leader}, replicas [{string.Join(",", p.Replicas)}], in sync [{string.Join(",", p.InSyncReplicas)}], committed {position}, end {end}, lag {(position >= 0 && end >= 0 ? end - position : -1)}");
        }

        return text.ToString();
    }

    private static async Task<string> QueryAsync(string mysql, string sql)
    {
        await using var connection = new MySqlConnection(mysql);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var text = new StringBuilder(string.Join('\t', Enumerable.Range(0, reader.FieldCount).Select(reader.GetName)) + Environment.NewLine);
        while (await reader.ReadAsync())
        {
            text.AppendLine(string.Join('\t', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i))?.ReplaceLineEndings(" "))));
        }

        return text.ToString();
    }

    private static Task<ConnectionMultiplexer> ConnectRedisAsync(string redis) =>
        ConnectionMultiplexer.ConnectAsync($"{redis},allowAdmin=true,connectTimeout=3000,abortConnect=true");
}
