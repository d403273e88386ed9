using Coupons.Admin;
using Coupons.Catalog;
using Coupons.Infrastructure.Database;
using Coupons.Infrastructure.Kafka;
using Coupons.Users;
using Microsoft.Extensions.Options;

namespace Coupons.Seeding;

/// <summary>Runs before the app takes traffic: schema, Kafka topics, and (dev mode) the guide's demo data.</summary>
public sealed partial class StoreInitializer(
    SchemaMigrator schema,
    KafkaTopics topics,
    CouponRepository coupons,
    UserRepository users,
    EventOpener opener,
    IOptions<SeedOptions> seed,
    TimeProvider clock,
    ILogger<StoreInitializer> logger)
{
    public async Task InitializeAsync(CancellationToken ct)
    {
        await schema.MigrateAsync(ct);
        await topics.EnsureAsync();
        if (seed.Value.DemoData)
        {
            await SeedDemoDataAsync(ct);
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
        }

        await opener.OpenAsync(SeedOptions.DemoCouponId, ct);
        DemoSeeded(logger, SeedOptions.DemoCouponId, demoUsers.Count);
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information,
        Message = "Demo data ready: coupon {CouponId}, {Users} users. Try: curl -X POST http://localhost:8081/api/coupons/11/issue-fcfs/test-user")]
    private static partial void DemoSeeded(ILogger logger, long couponId, int users);
}
