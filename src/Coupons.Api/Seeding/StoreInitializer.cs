using System.Data.Common;
using Coupons.Catalog;
using Coupons.Gate;
using Coupons.Infrastructure.Database;
using Coupons.Infrastructure.Kafka;
using Coupons.Users;
using Polly;
using Polly.Retry;

namespace Coupons.Seeding;

/// <summary>
/// Runs before the app takes traffic (registered as the first hosted service, so before the consumer and
/// before Kestrel listens): schema, Kafka topics, and (dev mode) the guide's demo data. A database that is
/// still starting is waited for with backoff, up to <see cref="StartupDeadline"/>.
/// </summary>
public sealed partial class StoreInitializer(
    SchemaMigrator schema,
    KafkaTopics topics,
    CouponRepository coupons,
    UserRepository users,
    EventOpener opener,
    Reconciliation.GateTrustVerifier gateTrust,
    IOptions<SeedOptions> seed,
    TimeProvider clock,
    ILogger<StoreInitializer> logger) : IHostedService
{
    private static readonly TimeSpan StartupDeadline = TimeSpan.FromSeconds(60);

    public Task StartAsync(CancellationToken cancellationToken) => InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task InitializeAsync(CancellationToken ct)
    {
        var retry = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<DbException>(),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromMilliseconds(200),
            MaxDelay = TimeSpan.FromSeconds(5),
            OnRetry = args =>
            {
                DatabaseNotReady(logger, args.AttemptNumber, args.Outcome.Exception?.Message ?? "");
                return ValueTask.CompletedTask;
            },
        }).AddTimeout(StartupDeadline).Build();
        await retry.ExecuteAsync(async token => await schema.MigrateAsync(token), ct);
        await topics.EnsureAsync();
        await VerifyGatesAsync(ct);
        if (seed.Value.DemoData)
        {
            await SeedDemoDataAsync(ct);
        }
    }

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
            // Just created: nothing can have been accepted for it, so its gate opens at once. A demo coupon that already
            // existed may have requests on their way to the database; the gate keeper rebuilds its gate once they landed.
            await opener.OpenAsync(SeedOptions.DemoCouponId, ct);
        }

        DemoSeeded(logger, SeedOptions.DemoCouponId, demoUsers.Count);
    }

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Database not ready (attempt {Attempt}): {Reason}")]
    private static partial void DatabaseNotReady(ILogger logger, int attempt, string reason);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Redis did not answer at start ({ExceptionType}); the gate keeper verifies the gates once it does")]
    private static partial void GatesNotVerified(ILogger logger, string exceptionType);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information,
        Message = "Demo data ready: coupon {CouponId}, {Users} users. Try: curl -X POST http://localhost:8081/api/coupons/11/issue-fcfs/test-user")]
    private static partial void DemoSeeded(ILogger logger, long couponId, int users);
}
