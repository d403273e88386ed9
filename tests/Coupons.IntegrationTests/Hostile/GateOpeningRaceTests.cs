using Coupons.Gate;
using Dapper;
using MySqlConnector;
using StackExchange.Redis;

namespace Coupons.IntegrationTests.Hostile;

/// <summary>
/// A gate appears whole or not at all, whatever reset lands while it is being opened (issue 21, item 6).
/// </summary>
[Trait("Category", "Hostile")]
[Collection(StackCollection.Name)]
public sealed class GateOpeningRaceTests(StackFixture stack)
{
    private const int Holders = 20_000; // 20 round trips of 1,000: a reset has room to land between two of them

    [Fact]
    public async Task A_reset_landing_while_a_gate_is_opened_leaves_it_whole_or_missing_never_partial()
    {
        const int total = 30_000;
        // Its sale starts in an hour, so the gate keeper leaves its gate alone: only this test opens and resets it.
        var couponId = await stack.Api.CreateOpenCouponAsync(total, DateTimeOffset.UtcNow.AddHours(1), DateTimeOffset.UtcNow.AddHours(2), open: false);
        await InsertHoldersAsync(couponId);
        var services = stack.App.Services;
        var (opener, repair) = (services.GetRequiredService<EventOpener>(), services.GetRequiredService<GateRepair>());
        var redis = services.GetRequiredService<IConnectionMultiplexer>();
        var keys = new GateKeys(couponId);

        for (var round = 0; round < 5; round++)
        {
            await repair.ResetAsync(couponId);
            var opening = opener.OpenAsync(couponId, CancellationToken.None);
            // The reset lands as soon as the first holders are written, wherever the opening writes them.
            while (!opening.IsCompleted && await HoldersWrittenAsync(redis, couponId) == 0)
            {
            }

            await repair.ResetAsync(couponId);
            await opening;

            var db = redis.GetDatabase();
            var stock = await db.StringGetAsync(keys.Stock);
            var (users, requests) = (await db.HashLengthAsync(keys.Users), await db.HashLengthAsync(keys.Requests));
            Assert.True(stock.IsNull ? (users, requests) == (0, 0) : ((long)stock, users, requests) == (total - Holders, Holders, Holders),
                $"round {round}: stock {(stock.IsNull ? "none" : stock.ToString())}, {users} users and {requests} requests in the gate of {Holders} holders");
        }
    }

    /// <summary>
    /// Holders the opening has written so far, under any of the coupon's keys (the gate's own or staged ones).
    /// </summary>
    private static async Task<long> HoldersWrittenAsync(IConnectionMultiplexer redis, long couponId)
    {
        var server = redis.GetServers()[0];
        var written = 0L;
        await foreach (var key in server.KeysAsync(pattern: $"{{coupon:{couponId}}}:users*"))
        {
            written += await redis.GetDatabase().HashLengthAsync(key);
        }

        return written;
    }

    private static async Task InsertHoldersAsync(long couponId)
    {
        await using var connection = new MySqlConnection(TestStack.MySql);
        var prefix = $"race{couponId}-";
        await connection.ExecuteAsync(
            "INSERT INTO users (public_id, name, email, created_at) SELECT CONCAT(@prefix, seq), 'n', CONCAT(@prefix, seq, '@test.example'), NOW(6) FROM seq_1_to_20000",
            new { prefix });
        await connection.ExecuteAsync(
            "INSERT INTO user_coupons (user_id, coupon_id, status, issued_at, expires_at, request_id) "
            + "SELECT id, @couponId, 'UNUSED', NOW(6), NOW(6), UUID() FROM users WHERE public_id LIKE CONCAT(@prefix, '%')",
            new { couponId, prefix });
    }
}
