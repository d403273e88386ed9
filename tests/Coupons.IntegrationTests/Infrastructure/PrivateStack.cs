using MySqlConnector;
using StackExchange.Redis;

namespace Coupons.IntegrationTests.Infrastructure;

/// <summary>
/// A database, a Redis database, topics and a consumer group of one test's own on the shared test stack, for a test
/// that judges the whole service (couponctl's verdicts, a drill's invariants) and must not see what other tests left.
/// Redis needs its own database too: a private MariaDB numbers its coupons and users from 1 again, and the gate's keys
/// are named by those ids. Tests run one collection at a time, so one Redis database, emptied first, is enough.
/// </summary>
public sealed class PrivateStack : IAsyncDisposable
{
    private const int RedisDatabase = 1;

    private readonly string database;
    private string? dataOnlyUser;

    private PrivateStack(string run)
    {
        database = $"coupons_private_{run}";
        MySql = new MySqlConnectionStringBuilder(TestStack.MySql) { Database = database }.ConnectionString;
        AppSettings = new Dictionary<string, string>
        {
            ["ConnectionStrings:coupons"] = MySql,
            ["ConnectionStrings:redis"] = $"{TestStack.Redis},defaultDatabase={RedisDatabase}",
            ["Kafka:Topic"] = $"coupon.issue.requested.private-{run}",
            ["Kafka:DeadLetterTopic"] = $"coupon.issue.requested.private-{run}.dlq",
            ["Kafka:ConsumerGroup"] = $"coupon-issue-private-{run}",
        };
    }

    public string MySql { get; }

    /// <summary>The app's settings that point it at this stack's own parts.</summary>
    public Dictionary<string, string> AppSettings { get; }

    public static async Task<PrivateStack> CreateAsync()
    {
        var stack = new PrivateStack(Guid.NewGuid().ToString("N")[..8]);
        await ExecuteAsync($"CREATE DATABASE {stack.database} CHARACTER SET utf8mb4");
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"{TestStack.Redis},allowAdmin=true");
        await redis.GetServers()[0].FlushDatabaseAsync(RedisDatabase);
        return stack;
    }

    /// <summary>
    /// A user that may read and write this database's rows but not change its schema, as the service's own user is in
    /// production (the topology's, compose's); dropped with the stack.
    /// </summary>
    public async Task<string> CreateDataOnlyUserAsync()
    {
        dataOnlyUser = $"{database}_dml";
        const string password = "data-only-not-a-secret";
        await ExecuteAsync($"CREATE USER '{dataOnlyUser}'@'127.0.0.1' IDENTIFIED BY '{password}'");
        await ExecuteAsync($"GRANT SELECT, INSERT, UPDATE, DELETE ON {database}.* TO '{dataOnlyUser}'@'127.0.0.1'");
        return new MySqlConnectionStringBuilder(MySql) { UserID = dataOnlyUser, Password = password }.ConnectionString;
    }

    /// <summary>Drops the database and its data-only user (after the test started a stopped MariaDB again).</summary>
    public async ValueTask DisposeAsync()
    {
        await ExecuteAsync($"DROP DATABASE IF EXISTS {database}");
        if (dataOnlyUser is not null)
        {
            await ExecuteAsync($"DROP USER IF EXISTS '{dataOnlyUser}'@'127.0.0.1'");
        }
    }

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new MySqlConnection(TestStack.MySql);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
