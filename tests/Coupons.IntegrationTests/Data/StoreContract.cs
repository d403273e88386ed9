using Coupons.Catalog;
using Coupons.Consumer;
using Coupons.Infrastructure.Database;
using Coupons.Issuance;
using Coupons.Ledger;
using Coupons.Requests;
using Coupons.UserCoupons;
using Coupons.Users;
using Dapper;

namespace Coupons.IntegrationTests.Data;

/// <summary>
/// One contract for the data layer, run against SQLite (embedded mode) and MariaDB (production): the same
/// repository code must give the same answers on both dialects.
/// </summary>
public abstract class StoreContract<THarness> : IAsyncLifetime
    where THarness : IStoreHarness, new()
{
    private readonly THarness _harness = new();
    private readonly DateTimeOffset _now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private IDbConnectionFactory Db => _harness.Connections;

    public async Task InitializeAsync() => await ((IStoreHarness)_harness).Migrator.MigrateAsync(CancellationToken.None);

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task Migrating_twice_is_harmless()
    {
        await ((IStoreHarness)_harness).Migrator.MigrateAsync(CancellationToken.None);

        Assert.Equal(SchemaMigrator.RequiredVersion, await ((IStoreHarness)_harness).Migrator.ReadVersionAsync(CancellationToken.None));
        await using var connection = await Db.OpenAsync(CancellationToken.None);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM user_coupons"));
    }

    [Fact]
    public async Task A_coupon_reads_back_as_written()
    {
        var id = await Coupons().CreateAsync(new NewCoupon("10% off", "PERCENTAGE", 10.5m, null, 15000m, 100, _now, _now.AddDays(1), 14), null, default);
        var fixedId = await Coupons().CreateAsync(new NewCoupon("Fixed", "FIXED", null, 3000m, 0m, 5, _now, _now.AddDays(1), 7), 4242, default);

        var coupon = await Coupons().FindAsync(id, default);

        Assert.NotNull(coupon);
        Assert.Equal(("10% off", "PERCENTAGE", 10.5m, (decimal?)null, 15000m), (coupon.Name, coupon.CouponType, coupon.DiscountRate, coupon.DiscountAmount, coupon.MinOrderAmount));
        Assert.Equal((100, 0, 14), (coupon.TotalQuantity, coupon.IssuedQuantity, coupon.ValidityDays));
        Assert.Equal(_now.UtcDateTime, coupon.StartDate);
        Assert.Equal(_now.AddDays(1).UtcDateTime, coupon.EndDate);
        Assert.Equal(4242, fixedId);
        Assert.Equal(3000m, (await Coupons().FindAsync(4242, default))!.DiscountAmount);
        Assert.Null(await Coupons().FindAsync(999_999, default));
    }

    [Fact]
    public async Task Only_coupons_inside_their_window_are_listed_as_open()
    {
        var open = await Coupons().CreateAsync(Coupon(5), null, default);
        await Coupons().CreateAsync(Coupon(5) with { StartDate = _now.AddHours(1), EndDate = _now.AddHours(2) }, null, default);
        await Coupons().CreateAsync(Coupon(5) with { StartDate = _now.AddHours(-2), EndDate = _now.AddHours(-1) }, null, default);

        var listed = await Coupons().ListOpenAsync(_now.UtcDateTime, default);

        Assert.Equal([open], listed.Select(c => c.Id));
    }

    [Fact]
    public async Task Creating_users_twice_creates_them_once()
    {
        var users = new[] { new NewUser("u-1", "One", "one@x.example"), new NewUser("u-2", "Two", "two@x.example") };

        Assert.Equal(2, await Users().CreateManyAsync(users, default));
        Assert.Equal(0, await Users().CreateManyAsync(users, default));
        Assert.NotNull(await Users().FindIdAsync("u-2", default));
        Assert.Null(await Users().FindIdAsync("u-3", default));
    }

    /// <summary>design.md §2, I6: SQLite (bytewise by default) and MariaDB (case-insensitive collation) agree that
    /// casing does not make a new person.</summary>
    [Fact]
    public async Task A_public_id_is_one_user_whatever_its_casing()
    {
        Assert.Equal(1, await Users().CreateManyAsync([new NewUser("case-a", "A", "case-a@x.example")], default));
        Assert.Equal(0, await Users().CreateManyAsync([new NewUser("CASE-A", "A again", "case-a-again@x.example")], default));

        var id = await Users().FindIdAsync("case-a", default);
        Assert.NotNull(id);
        Assert.Equal(id, await Users().FindIdAsync("CASE-A", default));
        Assert.Equal(id, await Users().FindIdAsync("Case-A", default));
        Assert.Equal([("case-a", id.Value)], await Users().FindIdsAsync(["Case-A"], default));
    }

    [Fact]
    public async Task A_batch_issues_up_to_the_total_and_rejects_the_rest_as_sold_out()
    {
        var couponId = await Coupons().CreateAsync(Coupon(3), null, default);
        var requests = await RequestsAsync(couponId, 5);

        var decisions = (await Store().ApplyBatchAsync(requests, default)).Decisions;

        Assert.Equal(3, decisions.Count(d => d.Status == RequestStatus.Issued));
        Assert.All(decisions.Skip(3), d => Assert.Equal((RequestStatus.Rejected, RejectReason.SoldOut), (d.Status, d.Reason)));
        Assert.Equal((3, 3), await CountsAsync(couponId));
    }

    [Fact]
    public async Task Replaying_a_batch_changes_nothing()
    {
        var couponId = await Coupons().CreateAsync(Coupon(2), null, default);
        var requests = await RequestsAsync(couponId, 3);
        var first = (await Store().ApplyBatchAsync(requests, default)).Decisions;

        var replay = (await Store().ApplyBatchAsync([.. requests, .. requests], default)).Decisions;

        Assert.Equal(first, replay);
        Assert.Equal((2, 2), await CountsAsync(couponId));
    }

    [Fact]
    public async Task A_second_request_of_the_same_user_is_rejected_by_the_unique_key()
    {
        var couponId = await Coupons().CreateAsync(Coupon(10), null, default);
        var first = (await RequestsAsync(couponId, 1))[0];
        var second = first with { RequestId = Guid.CreateVersion7() };

        var decisions = (await Store().ApplyBatchAsync([first, second], default)).Decisions;

        Assert.Equal(RequestStatus.Issued, decisions[0].Status);
        Assert.Equal((RequestStatus.Rejected, RejectReason.Duplicate), (decisions[1].Status, decisions[1].Reason));
        Assert.Equal((1, 1), await CountsAsync(couponId));
        var found = await Store().FindAsync(second.RequestId, default);
        Assert.Equal((RequestStatus.Rejected, couponId, second.UserId), (found!.Decision.Status, found.CouponId, found.UserId));
    }

    /// <summary>design.md §2, I7: a forged message (unknown coupon or user, someone else's publicId) is set aside,
    /// never retried, and never blocks the real ones beside it.</summary>
    [Fact]
    public async Task Messages_that_can_never_be_applied_are_set_aside_and_the_real_ones_beside_them_are_written()
    {
        var couponId = await Coupons().CreateAsync(Coupon(5), null, default);
        var real = await RequestsAsync(couponId, 2);
        var unknownCoupon = real[0] with { RequestId = Guid.CreateVersion7(), CouponId = 987_654 };
        var unknownUser = real[0] with { RequestId = Guid.CreateVersion7(), UserId = 999_999_999, PublicId = "ghost" };
        var someoneElse = real[0] with { RequestId = Guid.CreateVersion7(), PublicId = real[1].PublicId };

        var result = await Store().ApplyBatchAsync([unknownCoupon, real[0], unknownUser, someoneElse, real[1]], default);

        Assert.Equal(
            [(unknownCoupon.RequestId, DeadLetterReason.UnknownCoupon), (unknownUser.RequestId, DeadLetterReason.UnknownUser), (someoneElse.RequestId, DeadLetterReason.PublicIdMismatch)],
            result.Unappliable.Select(u => (u.Request.RequestId, u.Reason)));
        Assert.Equal([real[0].RequestId, real[1].RequestId], result.Decisions.Select(d => d.RequestId));
        Assert.All(result.Decisions, d => Assert.Equal(RequestStatus.Issued, d.Status));
        Assert.Equal((2, 2), await CountsAsync(couponId));
        Assert.Null(await Store().FindAsync(unknownUser.RequestId, default));
    }

    [Fact]
    public async Task Issued_coupons_are_listed_for_their_user_and_available_until_they_expire()
    {
        var couponId = await Coupons().CreateAsync(Coupon(5), null, default);
        var request = (await RequestsAsync(couponId, 1))[0];
        await Store().ApplyBatchAsync([request], default);
        var repo = new UserCouponRepository(Db);

        var all = await repo.ListAsync(request.UserId, null, default);
        var availableNow = await repo.ListAsync(request.UserId, DateTime.UtcNow, default);
        var availableLater = await repo.ListAsync(request.UserId, DateTime.UtcNow.AddDays(8), default);

        var row = Assert.Single(all);
        Assert.Equal((couponId, "UNUSED", request.RequestId.ToString()), (row.CouponId, row.Status, row.RequestId));
        Assert.Single(availableNow);
        Assert.Empty(availableLater);
    }

    [Fact]
    public async Task Parked_requests_come_back_once_and_leave_when_removed()
    {
        var parked = new ParkedRequests(Db, TimeProvider.System);
        var request = new IssueRequested(Guid.CreateVersion7(), 11, 1, "u-1", _now);

        await parked.ParkAsync(request, default);
        await parked.ParkAsync(request, default);

        Assert.Equal([request], (await parked.TakeBatchAsync(10, default)).Select(row => row.Request));
        Assert.Equal(request, await parked.FindAsync(request.RequestId, default));
        Assert.Equal(1, await parked.CountAsync(11, default));
        await parked.RemoveAsync(request.RequestId, default);
        Assert.Empty(await parked.TakeBatchAsync(10, default));
    }

    private NewCoupon Coupon(int total) => new("c", "FIXED", null, 1000m, 0m, total, _now.AddHours(-1), _now.AddDays(1), 7);

    private CouponRepository Coupons() => new(Db);

    private UserRepository Users() => new(Db, TimeProvider.System);

    private IssueRequestStore Store() => new(Db, TimeProvider.System);

    private async Task<List<IssueRequested>> RequestsAsync(long couponId, int count)
    {
        var prefix = Guid.NewGuid().ToString("N")[..8];
        var users = Enumerable.Range(0, count).Select(i => new NewUser($"{prefix}-{i}", $"U{i}", $"{prefix}-{i}@x.example")).ToList();
        await Users().CreateManyAsync(users, default);
        var requests = new List<IssueRequested>();
        foreach (var user in users)
        {
            var id = (await Users().FindIdAsync(user.PublicId, default))!.Value;
            requests.Add(new IssueRequested(Guid.CreateVersion7(), couponId, id, user.PublicId, _now));
        }

        return requests;
    }

    private async Task<(long Rows, long IssuedQuantity)> CountsAsync(long couponId)
    {
        await using var connection = await Db.OpenAsync(default);
        var rows = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM user_coupons WHERE coupon_id = @couponId", new { couponId });
        var issued = await connection.ExecuteScalarAsync<long>("SELECT issued_quantity FROM coupons WHERE id = @couponId", new { couponId });
        return (rows, issued);
    }
}

[Trait("Category", "Data")]
public sealed class SqliteStoreContract : StoreContract<SqliteHarness>;

[Trait("Category", "Data")]
public sealed class MySqlStoreContract : StoreContract<MySqlHarness>;
