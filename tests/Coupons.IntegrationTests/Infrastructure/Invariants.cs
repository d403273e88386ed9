using Dapper;
using Coupons.Infrastructure.Database;
using MySqlConnector;

namespace Coupons.IntegrationTests.Infrastructure;

public sealed record CouponFacts(
    int TotalQuantity,
    int IssuedQuantity,
    long Rows,
    long DuplicateUsers,
    IReadOnlySet<Guid> IssuedRequestIds,
    IReadOnlyDictionary<Guid, string> RequestStatuses);

/// <summary>Reads the invariants of design.md §2 straight from MariaDB, bypassing the app (the test stack's, or the one
/// named by <c>mysql</c>).</summary>
public static class Invariants
{
    public static async Task<CouponFacts> ReadAsync(long couponId, string? mysql = null)
    {
        await using var connection = Connect(mysql);
        await connection.OpenAsync();
        var coupon = await connection.QuerySingleAsync<(int Total, int Issued)>(
            "SELECT total_quantity, issued_quantity FROM coupons WHERE id = @couponId", new { couponId });
        var rows = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM user_coupons WHERE coupon_id = @couponId", new { couponId });
        var duplicates = await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM (SELECT user_id FROM user_coupons WHERE coupon_id = @couponId GROUP BY user_id HAVING COUNT(*) > 1) d", new { couponId });
        var issued = (await connection.QueryAsync<string>("SELECT request_id FROM user_coupons WHERE coupon_id = @couponId", new { couponId }))
            .Select(Guid.Parse).ToHashSet();
        // Issued: a user_coupons row with the request id; refused: an issue_requests row with the reason.
        var statuses = (await connection.QueryAsync<(string Id, string Status)>(
                "SELECT request_id, status FROM issue_requests WHERE coupon_id = @couponId", new { couponId }))
            .ToDictionary(r => Guid.Parse(r.Id), r => r.Status);
        foreach (var id in issued)
        {
            statuses.TryAdd(id, "ISSUED"); // a refused request that also has a row stays REJECTED, and fails I3 below
        }

        return new CouponFacts(coupon.Total, coupon.Issued, rows, duplicates, issued, statuses);
    }

    /// <summary>Each issued request of the coupon and the publicId of the user it was issued to.</summary>
    public static async Task<IReadOnlyDictionary<Guid, string>> ReadHoldersAsync(long couponId, string? mysql = null)
    {
        await using var connection = Connect(mysql);
        return (await connection.QueryAsync<(string RequestId, string PublicId)>(
                "SELECT uc.request_id, u.public_id FROM user_coupons uc JOIN users u ON u.id = uc.user_id WHERE uc.coupon_id = @couponId", new { couponId }))
            .ToDictionary(r => Guid.Parse(r.RequestId), r => r.PublicId);
    }

    public static async Task<long> ReadUserIdAsync(string publicId)
    {
        await using var connection = Connect(null);
        return await connection.ExecuteScalarAsync<long>("SELECT id FROM users WHERE public_id = @publicId", new { publicId });
    }

    /// <summary>
    /// design.md §2, I6, one person one decision however their id is cased, from what people were told: at most one
    /// request accepted per person, and every ALREADY_REQUESTED names that person's issued request, or, just after a
    /// click whose outcome was uncertain, a request given back since: a 503 whose gate call may have run (10 s), or a
    /// click the app was killed under (30 s, the restart included): sent and its connection cut
    /// (<paramref name="cutOff"/>), or, through nginx, answered 502/504 by the proxy, whose replica died or went silent
    /// with the click inside it (the gate may have taken its unit; clean clone H: the HA drill's kill -9 of replica 1).
    /// The unique key makes two rows per person impossible, so the rows alone prove nothing; the answers can disagree.
    /// </summary>
    public static async Task AssertOneDecisionPerPersonAsync(
        long couponId, IEnumerable<(string User, IssueAnswer Answer, TimeSpan At)> answers, string? mysql = null,
        IEnumerable<(string User, TimeSpan SentAt)>? cutOff = null)
    {
        var all = answers.Select(x => (Person: x.User.ToLowerInvariant(), x.Answer, x.At)).ToList();
        var cut = (cutOff ?? []).Select(c => (Person: c.User.ToLowerInvariant(), c.SentAt)).ToList();
        foreach (var person in all.Where(x => x.Answer.Status == HttpStatusCode.Accepted).GroupBy(x => x.Person))
        {
            Assert.True(person.Select(x => x.Answer.RequestId).Distinct().Count() == 1,
                $"I6: {person.Key} was accepted for {string.Join(" and ", person.Select(x => x.Answer.RequestId).Distinct())}");
        }

        var holders = await ReadHoldersAsync(couponId, mysql);
        foreach (var (person, answer, at) in all.Where(x => x.Answer.Code == "ALREADY_REQUESTED"))
        {
            if (holders.TryGetValue(answer.RequestId!.Value, out var holder))
            {
                Assert.True(person == holder.ToLowerInvariant(), $"I6: {person} heard ALREADY_REQUESTED for {answer.RequestId}, issued to {holder}");
            }
            else
            {
                Assert.True(all.Any(x => x.Person == person && x.Answer.Status == HttpStatusCode.ServiceUnavailable && x.At <= at && at - x.At < TimeSpan.FromSeconds(10))
                    || all.Any(x => x.Person == person && x.Answer.Status is HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout
                        && x.At <= at && at - x.At < TimeSpan.FromSeconds(30))
                    || cut.Any(c => c.Person == person && c.SentAt <= at && at - c.SentAt < TimeSpan.FromSeconds(30)),
                    $"I6: {person} heard ALREADY_REQUESTED for {answer.RequestId}, which was never issued, with no uncertain 503, proxy 502/504 " +
                    "or cut-off click before it");
            }
        }
    }

    /// <summary>
    /// Which of <paramref name="requestIds"/> wait in the parked table (their publish was ambiguous; relayed later).
    /// </summary>
    public static async Task<IReadOnlySet<Guid>> ParkedAsync(IReadOnlyCollection<Guid> requestIds)
    {
        if (requestIds.Count == 0)
        {
            return new HashSet<Guid>();
        }

        await using var connection = Connect(null);
        return (await connection.QueryAsync<string>("SELECT request_id FROM parked_requests WHERE request_id IN @ids",
            new { ids = requestIds.Select(id => id.ToString()).ToList() })).Select(Guid.Parse).ToHashSet();
    }

    /// <summary>Rows in one of the app's tables (a fixed name from the test, never input).</summary>
    public static async Task<long> CountAsync(string table)
    {
        await using var connection = Connect(null);
        return await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}");
    }

    /// <summary>I1, I2, I3 and I5 (design.md §2) for one coupon after the pipeline drained.</summary>
    public static async Task<CouponFacts> AssertHoldAsync(long couponId, IReadOnlyCollection<Guid> accepted, string? mysql = null)
    {
        var facts = await ReadAsync(couponId, mysql);
        Assert.True(facts.Rows <= facts.TotalQuantity, $"I1 over-issue: {facts.Rows} rows > total {facts.TotalQuantity}");
        Assert.Equal(0, facts.DuplicateUsers);
        Assert.Equal(facts.Rows, facts.IssuedQuantity);
        var lost = accepted.Where(id => !facts.IssuedRequestIds.Contains(id)).ToList();
        Assert.True(lost.Count == 0, $"I3: {lost.Count} accepted requests have no user_coupons row, e.g. {lost.FirstOrDefault()}");
        Assert.All(accepted, id => Assert.Equal("ISSUED", facts.RequestStatuses.GetValueOrDefault(id)));
        return facts;
    }

    /// <summary>
    /// SPEC I8 for one coupon: no user coupon has two uses in force (a use not restored); a USED coupon is used by
    /// exactly the order it names and an UNUSED one by none; and the outbox holds one coupon.used per use and one
    /// coupon.restored per restore, nothing else. Returns the uses in force by user coupon id.
    /// </summary>
    public static async Task<IReadOnlyDictionary<long, string>> AssertRedemptionsHoldAsync(long couponId)
    {
        await using var connection = Connect(null);
        var coupons = (await connection.QueryAsync<(long Id, string Status, string? OrderId)>(
            "SELECT id, status, order_id FROM user_coupons WHERE coupon_id = @couponId", new { couponId })).ToList();
        var uses = (await connection.QueryAsync<(long UserCouponId, string OrderId, DateTime? RestoredAt)>(
            "SELECT user_coupon_id, order_id, restored_at FROM coupon_redemptions WHERE coupon_id = @couponId", new { couponId })).ToList();
        var inForce = uses.Where(u => u.RestoredAt is null).GroupBy(u => u.UserCouponId).ToDictionary(g => g.Key, g => g.Select(u => u.OrderId).ToList());
        Assert.All(inForce, kv => Assert.True(kv.Value.Count == 1, $"I8: user coupon {kv.Key} is used by {kv.Value.Count} orders at once: {string.Join(", ", kv.Value)}"));
        foreach (var (id, status, orderId) in coupons)
        {
            var usedBy = inForce.GetValueOrDefault(id)?.Single();
            Assert.True((status, orderId) == (usedBy is null ? "UNUSED" : "USED", usedBy), $"I8: user coupon {id} is {status} by {orderId ?? "no order"}, its use in force {usedBy ?? "none"}");
        }

        var events = (await connection.QueryAsync<(string Type, string Payload)>(
                "SELECT event_type, payload FROM outbox_events WHERE event_type IN ('coupon.used', 'coupon.restored')"))
            .Select(e => (e.Type, Event: Coupons.Outbox.ShopEvent.FromJson(e.Payload)!)).Where(e => e.Event.CouponId == couponId).ToList();
        Assert.Equal(uses.Count, events.Count(e => e.Type == "coupon.used"));
        Assert.Equal(uses.Count(u => u.RestoredAt is not null), events.Count(e => e.Type == "coupon.restored"));
        return inForce.ToDictionary(kv => kv.Key, kv => kv.Value.Single());
    }

    /// <summary>The test stack's database, or the one named; read with the app's conventions (ids as text).</summary>
    private static MySqlConnection Connect(string? mysql)
    {
        var builder = new MySqlConnectionStringBuilder(mysql ?? TestStack.MySql);
        MySqlConnectionFactory.ApplyConventions(builder);
        return new MySqlConnection(builder.ConnectionString);
    }
}
