using System.Diagnostics;
using Coupons.IntegrationTests.Faults;

namespace Coupons.IntegrationTests.Topology;

/// <summary>
/// The guide's data recovery (docs/failure-modes.md, HA table; docs/runbooks/DatabasePointInTimeRestore.md: "restore
/// the latest backup, then point-in-time recovery with the binary log") on the
/// topology's MariaDB, mid-event: a full backup, more clicks, a chosen moment, an operator's mistake after it; then
/// the restore to that moment, the gate rebuilt from the restored database, and I1–I3 and I5 (design.md §2) checked.
/// </summary>
[Trait("Category", "Topology")]
[Collection(TopologyCollection.Name)]
public sealed class RecoveryDrillTests(TopologyFixture topology)
{
    [Fact]
    public async Task A_backup_and_the_binlog_restore_a_chosen_moment_and_the_gate_follows_the_restored_database()
    {
        await topology.WaitUntilServingAsync();
        var api = topology.Api;
        var db = new MariaDbTools(topology);
        var (couponId, users) = await api.OpenSaleAsync(stock: 500, people: 301);

        var beforeBackup = await ClickAsync(couponId, [.. users.Take(100)]);
        var backupClock = Stopwatch.StartNew();
        var (backup, backupPosition) = await db.BackupAsync(); // mid-event: the gate is open, clicks keep their order
        var backupSeconds = backupClock.Elapsed.TotalSeconds;
        var afterBackup = await ClickAsync(couponId, [.. users.Skip(100).Take(100)]);
        await api.WaitForDrainAsync(couponId, TimeSpan.FromSeconds(60));
        var moment = await db.CurrentPositionAsync(); // the moment to restore to: everything accepted so far is issued

        // The mistake after that moment: an operator deletes the event's issued coupons.
        await db.ExecuteAsync($"DELETE FROM user_coupons WHERE coupon_id = {couponId}");
        Assert.Equal(0, (await Invariants.ReadAsync(couponId, topology.MySql)).Rows);

        var restoreClock = Stopwatch.StartNew();
        var operators = new[] { topology.AdminClient(0), topology.AdminClient(1) }.Select(h => new Coupons.Client.CouponsAdminClient(h)).ToList();
        try
        {
            foreach (var op in operators)
            {
                Assert.True((await op.SetConsumerPausedAsync(true)).Paused); // nothing writes while the data is put back
            }

            await db.RestoreAsync(backup, backupPosition, moment);
        }
        finally
        {
            foreach (var op in operators)
            {
                await op.SetConsumerPausedAsync(false);
            }
        }

        Assert.True((await api.Operator.RebuildGateAsync(couponId)).Status is HttpStatusCode.OK or HttpStatusCode.Accepted);
        var report = await Eventually.MatchesAsync(() => api.ConsistencyAsync(couponId), r => r.Consistent && r.InFlight == 0, TimeSpan.FromSeconds(60),
            "the gate never agreed with the restored database");
        var restoreSeconds = restoreClock.Elapsed.TotalSeconds;

        var accepted = beforeBackup.Concat(afterBackup).ToList();
        var facts = await Invariants.AssertHoldAsync(couponId, accepted, topology.MySql); // every 202 before the moment is back
        Assert.Equal(200, facts.Rows);
        // The gate knows the restored holders (they hear ALREADY_REQUESTED) and has the rest of the stock for others.
        Assert.Equal(HttpStatusCode.Conflict, (await ApiDriver.IssueAsync(topology.Edge, couponId, users[0])).Status);
        var newcomer = await ApiDriver.IssueAsync(topology.Edge, couponId, users[300]);
        Assert.Equal(HttpStatusCode.Accepted, newcomer.Status);
        await api.WaitForDrainAsync(couponId, TimeSpan.FromSeconds(60));
        Assert.Equal(201, (await Invariants.AssertHoldAsync(couponId, [.. accepted, newcomer.RequestId!.Value], topology.MySql)).Rows);

        await FaultOutcome.RecordAsync($"topology: mariadb backup + binlog point-in-time restore: restored={facts.Rows} of {accepted.Count} accepted, " +
            $"lost=0 duplicates={facts.DuplicateUsers} backup={backupSeconds:F1}s restore+gate-rebuild={restoreSeconds:F1}s (gate: {report.Redis.AcceptedRequests} accepted, {report.Redis.RemainingStock} left)");
    }

    /// <summary>
    /// Each user clicks once, all at once, with the client's allowance full; every click is accepted (there is stock
    /// for all).
    /// </summary>
    private async Task<List<Guid>> ClickAsync(long couponId, IReadOnlyCollection<string> users)
    {
        Assert.InRange(users.Count, 1, TopologyFixture.ClickBurst);
        await TopologyFixture.WaitForFullClickAllowanceAsync(); // the bursts before and after the backup are a moment apart
        var answers = await Task.WhenAll(users.Select(user => ApiDriver.IssueAsync(topology.Edge, couponId, user)));
        var refused = answers.Where(a => a.Status != HttpStatusCode.Accepted).ToList();
        Assert.True(refused.Count == 0, $"{refused.Count} of {answers.Length} clicks were not accepted: " +
            string.Join(", ", refused.GroupBy(a => $"{(int)a.Status} {a.Code}").Select(g => $"{g.Count()} x {g.Key}")));
        return [.. answers.Select(a => a.RequestId!.Value)];
    }
}
