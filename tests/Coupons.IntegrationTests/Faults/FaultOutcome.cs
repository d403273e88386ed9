namespace Coupons.IntegrationTests.Faults;

/// <summary>The closing-note row of one fault scenario, and the invariant checks (design.md §2) behind it.</summary>
/// <param name="Rounds">Rounds of re-clicks the event needed after the service had settled itself: 0 or 1.</param>
/// <param name="SoldOutWhileStock">SOLD_OUT answers followed by a 202 (a unit was still to be sold when they were
/// given).</param>
/// <param name="Felt">What showed the fault reached the app (<see cref="FaultFelt"/>), when the scenario
/// watched.</param>
public sealed record FaultOutcome(
    string Scenario, int Accepted, long Issued, int Rejected, int Unavailable, int Lost, long Duplicates, double RecoverySeconds, int Rounds,
    int SoldOutWhileStock, string? Felt)
{
    public override string ToString() =>
        $"{Scenario}: accepted={Accepted} issued={Issued} rejected(409)={Rejected} unavailable(503/429)={Unavailable} lost={Lost} " +
        $"duplicates={Duplicates} recovery={RecoverySeconds:F1}s rounds={Rounds} sold-out-while-stock={SoldOutWhileStock}" +
        (Felt is null ? "" : $" felt: {Felt}");

    /// <summary>
    /// Settles the event as production would, repairing nothing itself: the service must bring its pipeline to rest
    /// (nothing in flight, nothing parked) and its gate level with the database on its own (its background
    /// reconciliation gives back units no request will be issued). Then at most one round: users who heard SOLD_OUT
    /// click again, for units the service gave back after they had all gone home. Then I1–I6 (design.md §2) in the
    /// database, I4 included: every unit issued.
    /// </summary>
    /// <param name="selfRepair">How long the service may take to settle: its reconciliation interval plus the leak
    /// grace period, and then some.</param>
    public static async Task<FaultOutcome> SettleAndAssertAsync(
        string scenario, ApiDriver api, Func<HttpClient> client, long couponId, int total, int users, SteadyLoad load, double recoverySeconds,
        string? mysql = null, TimeSpan? selfRepair = null, string? felt = null)
    {
        // Users starved by the load's deadline would make every later check vacuous for them: each must have ended on
        // 202 or 409.
        Assert.True(load.Unfinished.Count == 0, $"{scenario}: {load.Unfinished.Count} users never got a final answer, e.g. {load.Unfinished.FirstOrDefault()}");
        var settled = await WaitUntilSettledAsync(scenario, api, couponId, selfRepair ?? TimeSpan.FromSeconds(60));
        var rounds = 0;
        var soldOutWhileStock = load.SoldOutBeforeAnAccept; // before the re-clicks: their 202s would make every earlier SOLD_OUT count
        if (settled.Database.UserCouponRows < Math.Min(total, users))
        {
            // Units came back after every user had gone home with SOLD_OUT: they click once more, as they would on a
            // refresh.
            rounds = 1;
            await load.RetrySoldOutAsync(client, couponId, TimeSpan.FromSeconds(60));
            await WaitUntilSettledAsync(scenario, api, couponId, selfRepair ?? TimeSpan.FromSeconds(60));
        }

        var accepted = load.AcceptedRequestIds;
        var final = await Invariants.AssertHoldAsync(couponId, accepted, mysql);
        Assert.True(Math.Min(total, users) == final.Rows,
            $"{scenario}: I4 (no false sell-out): {final.Rows} issued of {Math.Min(total, users)} after the service settled and one round of re-clicks");
        Assert.Equal(accepted.Count, accepted.Distinct().Count());
        // A click the app was killed under is as uncertain as a 503 whose gate call may have run: its unit may have
        // been taken with nothing published, and the retry hears ALREADY_REQUESTED for it until reconciliation returns
        // it (clean clone K, 2026-12-07, ProcessFaultTests.Kill_minus_9: "… which was never issued, with no uncertain
        // 503 before it").
        await Invariants.AssertOneDecisionPerPersonAsync(couponId, load.Answers.Select(x => (x.User, x.Answer, x.At)), mysql,
            load.CutOff.Select(c => (c.User, c.SentAt)));
        var lost = accepted.Count(id => !final.IssuedRequestIds.Contains(id));
        var outcome = new FaultOutcome(scenario, accepted.Count, final.Rows, load.Count(HttpStatusCode.Conflict),
            load.Count(HttpStatusCode.ServiceUnavailable) + load.Count(HttpStatusCode.TooManyRequests), lost, final.DuplicateUsers, recoverySeconds,
            rounds, soldOutWhileStock, felt);
        await RecordAsync(outcome.ToString());
        return outcome;
    }

    /// <summary>
    /// The consistency report once nothing is in flight or parked and Redis agrees with the database; nobody repairs
    /// anything meanwhile.
    /// </summary>
    private static async Task<ConsistencyReportView> WaitUntilSettledAsync(string scenario, ApiDriver api, long couponId, TimeSpan within) =>
        (await Eventually.MatchesAsync(() => api.ConsistencyOrNullAsync(couponId), r => r is { InFlight: 0, Parked: 0, Consistent: true }, within,
            $"{scenario}: the service did not settle coupon {couponId} by itself (nothing in flight or parked, the gate level with the database)"))!;

    /// <summary>
    /// Adds a line to the run's summary of fault scenarios (scripts/test.sh prints the file at the end).
    /// </summary>
    public static Task RecordAsync(string line) =>
        File.AppendAllTextAsync(Path.Combine(StackControl.RepoRoot, ".test-infra", "fault-outcomes.log"), $"{DateTime.UtcNow:O} {line}{Environment.NewLine}");

    /// <summary>
    /// Seconds from <paramref name="healedAt"/> until a fresh user's click on <paramref name="probeCouponId"/> is
    /// accepted.
    /// </summary>
    public static async Task<double> MeasureRecoveryAsync(Func<HttpClient> client, long probeCouponId, IReadOnlyList<string> probeUsers, DateTime healedAt, TimeSpan limit)
    {
        var i = 0;
        while (DateTime.UtcNow - healedAt < limit + TimeSpan.FromSeconds(20))
        {
            try
            {
                var answer = await ApiDriver.IssueAsync(client(), probeCouponId, probeUsers[i++ % probeUsers.Count]);
                if (answer.Status == HttpStatusCode.Accepted)
                {
                    return (DateTime.UtcNow - healedAt).TotalSeconds;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        return double.PositiveInfinity;
    }
}
