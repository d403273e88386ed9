namespace Coupons.IntegrationTests.Faults;

/// <summary>The closing-note row of one fault scenario, and the SPEC §4 checks behind it.</summary>
public sealed record FaultOutcome(string Scenario, int Accepted, long Issued, int Rejected, int Unavailable, int Lost, long Duplicates, double RecoverySeconds)
{
    public override string ToString() =>
        $"{Scenario}: accepted={Accepted} issued={Issued} rejected(409)={Rejected} unavailable(503/429)={Unavailable} lost={Lost} duplicates={Duplicates} recovery={RecoverySeconds:F1}s";

    /// <summary>
    /// Settles the event (pipeline drained, leaked units returned, sold-out users retried while stock reappears),
    /// then checks I1–I5 against the database: no over-issue, no duplicates, every 202 issued, issued equals
    /// min(total, distinct users), issued_quantity equals the rows.
    /// </summary>
    public static async Task<FaultOutcome> SettleAndAssertAsync(
        string scenario, ApiDriver api, Func<HttpClient> client, long couponId, int total, int users, SteadyLoad load, double recoverySeconds,
        string? mysql = null)
    {
        for (var round = 0; round < 15; round++)
        {
            await api.WaitForDrainAsync(couponId, TimeSpan.FromSeconds(120));
            // Units held by requests that will never be issued go back to the gate (the background job does
            // the same every second in these tests), then users who heard SOLD_OUT click again.
            await api.Admin.PostAsync($"/api/admin/coupons/{couponId}/reconcile", null);
            if ((await Invariants.ReadAsync(couponId, mysql)).Rows >= Math.Min(total, users))
            {
                break;
            }

            await load.RetrySoldOutAsync(client, couponId, TimeSpan.FromSeconds(60));
            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        await api.WaitForDrainAsync(couponId, TimeSpan.FromSeconds(120));
        var accepted = load.AcceptedRequestIds;
        var final = await Invariants.AssertHoldAsync(couponId, accepted, mysql);
        Assert.Equal(Math.Min(total, users), final.Rows); // I4: no false sell-out
        Assert.Equal(accepted.Count, accepted.Distinct().Count());
        var lost = accepted.Count(id => !final.IssuedRequestIds.Contains(id));
        var outcome = new FaultOutcome(scenario, accepted.Count, final.Rows, load.Count(HttpStatusCode.Conflict),
            load.Count(HttpStatusCode.ServiceUnavailable) + load.Count(HttpStatusCode.TooManyRequests), lost, final.DuplicateUsers, recoverySeconds);
        await RecordAsync(outcome.ToString());
        return outcome;
    }

    /// <summary>Adds a line to the run's summary of fault scenarios (scripts/test.sh prints the file at the end).</summary>
    public static Task RecordAsync(string line) =>
        File.AppendAllTextAsync(Path.Combine(StackControl.RepoRoot, ".test-infra", "fault-outcomes.log"), $"{DateTime.UtcNow:O} {line}{Environment.NewLine}");

    /// <summary>Seconds from <paramref name="healedAt"/> until a fresh user's click on <paramref name="probeCouponId"/> is accepted.</summary>
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
