namespace Coupons.Ops;

/// <summary>One feature's block of log event ids.</summary>
public sealed record LogEventRange(int First, int Last, string Namespace, string What);

/// <summary>
/// Where each log event id lives. Every feature logs in its own block, so an id seen in a log line, a runbook or an
/// alert query names the code that wrote it, and two features never share one. A unit test holds every
/// <c>[LoggerMessage]</c> in the app to this table: ids unique, each inside a block of its own namespace.
/// </summary>
public static class LogEventRanges
{
    public static readonly IReadOnlyList<LogEventRange> All =
    [
        new(1000, 1099, "Coupons.Infrastructure", "HTTP errors answered, background rounds"),
        new(1100, 1199, "Coupons.Infrastructure.Database", "waiting for the database, schema migrations"),
        new(2000, 2099, "Coupons.Catalog", "coupon definitions and the issuable list"),
        new(2100, 2199, "Coupons.Infrastructure.Redis", "the Redis circuit"),
        new(3000, 3099, "Coupons.Infrastructure.Kafka", "librdkafka logs and errors, topics"),
        new(4000, 4299, "Coupons.Issuance", "the click: publish, park, relay"),
        new(4400, 4499, "Coupons.Gate", "the stock gate"),
        new(5000, 5099, "Coupons.Consumer", "the consumer: batches, commits, dead letters"),
        new(6000, 6099, "Coupons.Seeding", "start-up order and demo data"),
        new(7000, 7199, "Coupons.Reconciliation", "gate upkeep and drift repair"),
        new(8000, 8099, "Coupons.Auth", "user authentication"),
        new(8100, 8199, "Coupons.Admin", "the admin audit"),
        new(8200, 8299, "Coupons.Infrastructure.Edge", "the edge: memory load shedding"),
    ];
}
