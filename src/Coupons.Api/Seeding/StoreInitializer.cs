using Coupons.Catalog;
using Coupons.Gate;
using Coupons.Infrastructure.Database;
using Coupons.Infrastructure.Kafka;
using Coupons.Users;

namespace Coupons.Seeding;

/// <summary>
/// Runs before the app takes traffic (registered as the first hosted service, so before the consumer and
/// before Kestrel listens): schema (migrated or checked, design.md §7), Kafka topics, and (dev mode) the demo data
/// (design.md §1). A database that is still starting is waited for (<see cref="DatabaseReadiness"/>).
/// </summary>
public sealed partial class StoreInitializer(
    SchemaMigrator schema,
    KafkaTopics topics,
    CouponRepository coupons,
    UserRepository users,
    EventOpener opener,
    Reconciliation.GateTrustVerifier gateTrust,
    IOptions<SeedOptions> seed,
    IOptions<DatabaseOptions> database,
    TimeProvider clock,
    ILogger<StoreInitializer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task InitializeAsync(CancellationToken ct)
    {
        // The deadline is for the database to answer; migrating (the embedded database, the tests) takes what it takes.
        await DatabaseReadiness.WaitingPipeline(logger).ExecuteAsync(async token => await schema.ReadVersionAsync(token), ct);
        await PrepareSchemaAsync(ct);
        await topics.EnsureAsync();
        await VerifyGatesAsync(ct);
        if (seed.Value.DemoData)
        {
            await SeedDemoDataAsync(ct);
        }
    }

    /// <summary>
    /// The embedded database and the tests migrate here; elsewhere the migration step ran before (<c>--migrate</c>),
    /// and a schema older than this build needs stops the start with <see cref="SchemaBehindException"/> (Program says
    /// it in one line).
    /// </summary>
    private Task PrepareSchemaAsync(CancellationToken ct) =>
        database.Value.MigratesAtStart ? schema.MigrateAsync(ct) : schema.VerifyAsync(ct);

    /// <summary>
    /// Before the first click: gates a restarted, failed-over or restored Redis kept are thrown away (and rebuilt), so
    /// they are never trusted, and gates opened from now on are. Redis being down is no reason not to start: the gate
    /// keeper does this as soon as it answers.
    /// </summary>
    private async Task VerifyGatesAsync(CancellationToken ct)
    {
        try
        {
            await gateTrust.EnsureTrustedAsync(ct);
        }
        catch (Exception ex) when (Infrastructure.Redis.RedisCircuit.IsUnavailable(ex))
        {
            GatesNotVerified(logger, ex.GetType().Name);
        }
    }

    private async Task SeedDemoDataAsync(CancellationToken ct)
    {
        var demoUsers = new List<NewUser> { new("test-user", "Test User", "test-user@example.com") };
        demoUsers.AddRange(Enumerable.Range(1, seed.Value.DemoUsers)
            .Select(i => new NewUser($"demo-user-{i}", $"Demo User {i}", $"demo-user-{i}@example.com")));
        await users.CreateManyAsync(demoUsers, ct);

        if (await coupons.FindAsync(SeedOptions.DemoCouponId, ct) is null)
        {
            var now = clock.GetUtcNow();
            await coupons.CreateAsync(new NewCoupon(
                "Flash sale 10% off", "PERCENTAGE", 10m, null, 10_000m, SeedOptions.DemoCouponStock,
                now.AddMinutes(-1), now.AddYears(1), 30), SeedOptions.DemoCouponId, ct);
            // Just created: nothing can have been accepted for it, so its gate opens at once. A demo coupon that
            // already existed may have requests on their way to the database; the gate keeper rebuilds its gate once
            // they landed.
            await opener.OpenAsync(SeedOptions.DemoCouponId, ct);
        }

        DemoSeeded(logger, SeedOptions.DemoCouponId, demoUsers.Count);
    }

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Redis did not answer at start ({ExceptionType}); the gate keeper verifies the gates once it does")]
    private static partial void GatesNotVerified(ILogger logger, string exceptionType);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information,
        Message = "Demo data ready: coupon {CouponId}, {Users} users. Try: curl -X POST http://localhost:8081/api/coupons/11/issue-fcfs/test-user")]
    private static partial void DemoSeeded(ILogger logger, long couponId, int users);
}
