using Coupons.Campaigns;
using Coupons.Catalog;
using Coupons.Testing;
using CsCheck;

namespace Coupons.UnitTests.Campaigns;

public sealed class CampaignWindowTests
{
    private static readonly DateTime Now = new(2026, 12, 7, 12, 0, 0, DateTimeKind.Utc);

    private static Coupon Sale(int startMinutes, int endMinutes) => new() { Id = 1, StartDate = Now.AddMinutes(startMinutes), EndDate = Now.AddMinutes(endMinutes) };

    private static DateTimeOffset At(int minutes) => new(Now.AddMinutes(minutes));

    [Theory]
    [InlineData(-60, 60, null, 120, null)]                         // an open sale runs longer
    [InlineData(-60, 60, null, 30, null)]                          // or shorter
    [InlineData(-60, 60, -60, 120, null)]                          // its own start, given again, is no move
    [InlineData(-60, 60, -30, null, "SALE_STARTED")]               // a begun sale keeps its start
    [InlineData(-60, 60, null, -1, "INVALID_REQUEST")]             // ending it now is end, not a past end
    [InlineData(-120, -60, null, 60, "CAMPAIGN_ENDED")]            // an ended sale keeps its window
    [InlineData(60, 120, 30, null, null)]                          // a scheduled sale moves earlier
    [InlineData(60, 120, 0, 30, null)]                             // to now
    [InlineData(60, 120, -5, null, "INVALID_REQUEST")]             // not into the past
    [InlineData(60, 120, 150, null, "INVALID_REQUEST")]            // nor past its end
    [InlineData(60, 120, null, null, "INVALID_REQUEST")]           // nothing to move
    public void A_window_moves_by_the_rules(int start, int end, int? newStart, int? newEnd, string? refused)
    {
        var decision = CampaignWindow.Decide(Sale(start, end), Now, newStart is { } s ? At(s) : null, newEnd is { } e ? At(e) : null);
        Assert.Equal(refused, decision.RefusedCode);
    }

    /// <summary>
    /// For any sale and any request: an allowed window ends after it starts and in the future, never moves a begun
    /// sale's start, and nothing about an ended sale is allowed.
    /// </summary>
    [Fact]
    public void No_allowed_change_breaks_a_rule() =>
        Fuzz.Check("window changes", Gen.Select(Gen.Int[-600, 600], Gen.Int[1, 600], Gen.Int[-700, 700].Nullable(), Gen.Int[-700, 700].Nullable()),
            t =>
            {
                var sale = Sale(t.Item1, t.Item1 + t.Item2);
                var decision = CampaignWindow.Decide(sale, Now, t.Item3 is { } s ? At(s) : null, t.Item4 is { } e ? At(e) : null);
                if (!decision.Allowed)
                {
                    return;
                }

                Assert.True(decision.End > decision.Start && decision.End > Now);
                Assert.True(Now < sale.EndDate, "an ended sale changed");
                Assert.True(Now < sale.StartDate || decision.Start == sale.StartDate, "a begun sale's start moved");
                Assert.True(decision.Start >= Now - CampaignWindow.StartTolerance || decision.Start == sale.StartDate, "a start moved into the past");
            }, fixedSeed: "0000windows0", cases: 5_000);
}
