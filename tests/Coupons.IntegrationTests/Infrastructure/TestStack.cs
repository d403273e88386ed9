namespace Coupons.IntegrationTests.Infrastructure;

/// <summary>
/// Addresses of the real MariaDB, redis-server and mock Kafka started by <c>scripts/test-infra.sh start</c>
/// (which writes them to <c>.test-infra/env</c>). Missing settings fail the test loudly: these tests never fall back to
/// fakes.
/// </summary>
public static class TestStack
{
    public const string AdminKey = "test-admin-key-not-a-secret";

    public static string MySql => Required("COUPONS_TEST_MYSQL");

    public static string Redis => Required("COUPONS_TEST_REDIS");

    /// <summary>
    /// The sentinels of the HA set (<see cref="StackControl.StartRedisSentinelSetAsync"/>), as the app's Redis
    /// configuration.
    /// </summary>
    public static string RedisSentinel => Required("COUPONS_TEST_REDIS_SENTINEL");

    public static string Kafka => Required("COUPONS_TEST_KAFKA");

    public static string KafkaControl => Required("COUPONS_TEST_KAFKA_CONTROL");

    /// <summary>Configuration that points an app instance at this stack (configuration keys, ':' separated).</summary>
    public static Dictionary<string, string?> AppSettings() => new()
    {
        ["Database:Provider"] = "MySql",
        ["ConnectionStrings:coupons"] = MySql,
        ["Database:MigrateAtStart"] = "true", // the test user may change the schema, as in dev mode
        ["Redis:Embedded"] = "false",
        ["ConnectionStrings:redis"] = Redis,
        ["Kafka:Embedded"] = "false",
        ["ConnectionStrings:kafka"] = Kafka,
        ["Kafka:ReplicationFactor"] = "1", // one mock broker
        ["Kafka:MinInSyncReplicas"] = "1",
        // The mock broker holds every rebalance of a running group open for the session timeout less a second, however
        // quickly the members rejoin; the suite starts and stops dozens of members of the shared group. 6 s (the
        // broker's usual minimum) instead of 10 takes 4 s off each of those pauses.
        ["Kafka:ConsumerSessionTimeout"] = "00:00:06",
        // One machine, one clock: the 10 min default would make every sale created within 10 min of one of the many
        // Redis restarts here wait for the pipeline before its first gate (R11). ClockSkewTests set their own.
        ["Gate:ClockSkewMargin"] = "00:00:05",
        ["Seed:DemoData"] = "false",
        ["Admin:ApiKey"] = AdminKey,
        // Tokens as TestTokens makes them, two keys at once as during a rotation. Anonymous requests are an explicit
        // opt-in here, so the tests that are about something else can click as the seed's curl does.
        ["Auth:Issuer"] = TestTokens.Issuer,
        ["Auth:Audience"] = TestTokens.Audience,
        ["Auth:SigningKeys:0:Id"] = TestTokens.Current.Id,
        ["Auth:SigningKeys:0:Key"] = TestTokens.Current.Key,
        ["Auth:SigningKeys:1:Id"] = TestTokens.Previous.Id,
        ["Auth:SigningKeys:1:Key"] = TestTokens.Previous.Key,
        ["Auth:AllowAnonymous"] = "true",
        // Every test client is 127.0.0.1: per-address limits out of the way, except where a test sets its own.
        ["Edge:ClicksPerClientPerSecond"] = "10000000",
        ["Edge:ReadsPerClientPerSecond"] = "10000000",
        ["Edge:AdminPerClientPerSecond"] = "10000000",
        ["Edge:CheckoutPerClientPerSecond"] = "10000000",
        // Keep CI output readable: the tests assert on behaviour, not on log lines.
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Coupons"] = "Warning",
        // The in-process host (TestServer) has no body-size feature, so it cannot apply the admin endpoints' limits and
        // says so on every admin call; the real-Kestrel tests (Security/EdgeTests) check those limits.
        ["Logging:LogLevel:Microsoft.AspNetCore.Routing.EndpointRoutingMiddleware"] = "Error",
    };

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set. Start the test stack with `scripts/test-infra.sh start && source .test-infra/env`, or run `scripts/test.sh`.");
}
