using Coupons.IntegrationTests.Faults;

namespace Coupons.IntegrationTests.Hostile;

/// <summary>
/// A Redis that returns non-empty but stale (AOF everysec losing its last second, a replica promoted after a failover,
/// a restored snapshot) must not be trusted: its gates are verified against the database before any click is decided.
/// </summary>
[Trait("Category", "Hostile")]
[Collection(FaultCollection.Name)]
public sealed class StaleRedisTests
{
    [Fact]
    public async Task A_user_issued_after_the_snapshot_redis_came_back_from_is_not_accepted_a_second_time()
    {
        // Reconciliation left at its 30 s: restoring the forgotten holder would hide the stale gate, but only by luck
        // of timing.
        await using var app = new CouponApiFactory(new Dictionary<string, string?> { ["Reconciliation:GateCheckInterval"] = "00:00:00.5" });
        var api = new ApiDriver(app.CreateClient(), app.CreateAdminClient());
        await ApiDriver.WaitUntilReadyAsync(api.Client);
        var (couponId, users) = await api.OpenSaleAsync(3, 3);
        await StackControl.SnapshotRedisAsync("before-first-click");

        var first = await api.IssueAsync(couponId, users[0]);
        Assert.Equal(HttpStatusCode.Accepted, first.Status);
        await api.WaitForDrainAsync(couponId);
        await StackControl.RestartRedisFromSnapshotAsync("before-first-click"); // the gate has all 3 units and no holder

        // Until the gate is verified the answer is 503 GATE_NOT_READY; then the user is known again: never a second
        // 202.
        var again = await Eventually.MatchesAsync(() => api.IssueAsync(couponId, users[0]),
            answer => answer.Status != HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30), "the gate never came back");
        Assert.Equal((HttpStatusCode.Conflict, "ALREADY_REQUESTED", first.RequestId), (again.Status, again.Code, again.RequestId));

        var others = await Task.WhenAll(users.Skip(1).Select(u => api.IssueAsync(couponId, u)));
        Assert.All(others, answer => Assert.Equal(HttpStatusCode.Accepted, answer.Status));
        var report = await api.WaitForDrainAsync(couponId);
        Assert.True(report.Consistent, string.Join("; ", report.Problems));
        var facts = await Invariants.AssertHoldAsync(couponId, [first.RequestId!.Value, .. others.Select(o => o.RequestId!.Value)]);
        Assert.Equal(3, facts.Rows);
        Assert.DoesNotContain("REJECTED", facts.RequestStatuses.Values);
    }

    [Fact]
    public async Task The_consistency_report_does_not_count_a_gate_that_redis_brought_back_unverified_as_open()
    {
        // Operator-sequence generator, seed 891DSWeTxzo4 (click; open; Redis restarted from an earlier snapshot): the
        // report read the stale gate (3 units, no holder) as open and inconsistent, though take.lua refuses every click
        // through it until it is rebuilt. The gate keeper is held back here, so the unverified gate stays as Redis left
        // it.
        await using var app = new CouponApiFactory(new Dictionary<string, string?> { ["Reconciliation:GateCheckInterval"] = "01:00:00" });
        var api = new ApiDriver(app.CreateClient(), app.CreateAdminClient());
        await ApiDriver.WaitUntilReadyAsync(api.Client);
        var (couponId, user) = await api.OpenSaleForOneAsync(3);
        var snapshot = $"unverified-{Guid.NewGuid():N}";
        await StackControl.SnapshotRedisAsync(snapshot);
        Assert.Equal(HttpStatusCode.Accepted, (await api.IssueAsync(couponId, user)).Status);
        await api.WaitForDrainAsync(couponId);

        await StackControl.RestartRedisFromSnapshotAsync(snapshot);
        var report = await Eventually.MatchesAsync(() => api.ConsistencyOrNullAsync(couponId), r => r is not null, TimeSpan.FromSeconds(30), "no report")!;

        Assert.False(report!.Redis.GateOpen);
        Assert.Contains(report.Problems, p => p.Contains("not verified", StringComparison.Ordinal));
    }
}
