using Coupons.Client;

namespace Coupons.IntegrationTests.Issuance;

/// <summary>
/// Issue 23: 1,000 people clicking at once on two instances while operators raise and lower the sale's total through
/// both. Whatever the interleaving: every 202 is issued, no row beyond the total the database ends with, a lowering
/// is refused exactly when it would fall below what the gate counts (never half-applied), and the gate ends level with
/// the database (stock + issued = total).
/// </summary>
[Trait("Category", "Issuance")]
[Collection(StackCollection.Name)]
public sealed class StockChangeRaceTests(StackFixture stack, Xunit.Abstractions.ITestOutputHelper output)
{
    private const int People = 1_000;
    private const int FirstTotal = 300;

    [Fact]
    public async Task A_thousand_clicks_racing_total_changes_on_two_instances_keep_every_invariant()
    {
        await using var second = new CouponApiFactory();
        var operators = new[] { stack.Api.Operator, new CouponsAdminClient(second.CreateAdminClient()) };
        var (couponId, people) = await stack.Api.OpenSaleAsync(FirstTotal, People);

        // Raises and lowerings through both instances at once (so they also race each other for the row lock), for as
        // long as the clicks land and once through each list at least; each lowering may be refused.
        int[][] totals = [[500, 250, 650, 200], [700, 450, 350, 600]];
        var changes = new System.Collections.Concurrent.ConcurrentQueue<(int Asked, ApiAnswer<CampaignChanged> Answer, bool DuringClicks)>();
        var clicking = Race.RunAsync(couponId, people, clicksPerUser: 1, [stack.App.CreateClient(), second.CreateClient()]);
        await Task.WhenAll(operators.Select(async (admin, o) =>
        {
            for (var i = 0; i < totals[o].Length || !clicking.IsCompleted; i++)
            {
                var asked = totals[o][i % totals[o].Length];
                var during = !clicking.IsCompleted;
                changes.Enqueue((asked, await admin.ChangeTotalAsync(couponId, asked), during));
            }
        }));

        var answers = await clicking;
        output.WriteLine($"{changes.Count(c => c.DuringClicks)} of {changes.Count} changes sent while clicks were landing; "
            + $"{changes.Count(c => c.Answer.Status == HttpStatusCode.Conflict)} refused");

        Assert.All(answers, a => Assert.True(a.Answer.Status is HttpStatusCode.Accepted || a.Answer.Code == "SOLD_OUT", $"{a.User}: {a.Answer}"));
        foreach (var (asked, answer, _) in changes)
        {
            // Changed, or refused for one reason only: below what was issued and in flight at that moment.
            Assert.True(answer.Status == HttpStatusCode.OK || (answer.Status == HttpStatusCode.Conflict && answer.Problem!.Code == "TOTAL_BELOW_TAKEN"),
                $"total {asked}: {answer.Status} {answer.Problem}");
        }

        var report = await stack.Api.WaitForDrainAsync(couponId, TimeSpan.FromSeconds(60));
        var accepted = answers.Where(a => a.Answer.Status == HttpStatusCode.Accepted).Select(a => a.Answer.RequestId!.Value).ToList();
        var facts = await Invariants.AssertHoldAsync(couponId, accepted);
        // The database ends at a total one of the changes set, and the gate with it.
        Assert.Contains(changes, c => c.Answer.Status == HttpStatusCode.OK && c.Asked == facts.TotalQuantity);
        Assert.Equal(accepted.Count, facts.Rows);                               // every 202 issued, nothing else
        Assert.True(report.Consistent, string.Join("; ", report.Problems));     // the gate level with it: stock + rows = total
        Assert.Equal(facts.TotalQuantity - facts.Rows, report.Redis.RemainingStock);
        Assert.Empty(second.ServerErrors.Errors);
    }
}
