using Coupons.Campaigns;
using Coupons.Catalog;
using Coupons.Contracts;

namespace Coupons.UnitTests.Campaigns;

public sealed class CampaignStateTests
{
    private static readonly DateTime Start = new(2026, 11, 27, 0, 0, 0, DateTimeKind.Utc);
    private static readonly Coupon Sale = new() { Id = 12, TotalQuantity = 100, IssuedQuantity = 40, StartDate = Start, EndDate = Start.AddDays(1) };

    [Theory]
    [InlineData(-1, 60, CampaignStates.Scheduled)]      // a second before the window
    [InlineData(0, 60, CampaignStates.Open)]            // the window includes its start
    [InlineData(3600, 0, CampaignStates.SoldOut)]       // the gate has nothing left
    [InlineData(86_399, 1, CampaignStates.Open)]
    [InlineData(86_400, 60, CampaignStates.Ended)]      // and excludes its end
    [InlineData(86_400, 0, CampaignStates.Ended)]       // ended wins over sold out
    [InlineData(3600, -1, CampaignStates.SoldOut)]      // a holder restored at zero stock (hostile review, issue 23: it said OPEN)
    public void The_window_and_the_gate_decide(int secondsFromStart, long remaining, string expected) =>
        Assert.Equal(expected, CampaignState.Of(Sale, Start.AddSeconds(secondsFromStart), remaining));

    /// <summary>
    /// Hostile review (issue 23): with the gate unread (Redis down, not verified, being rebuilt) a sale in its window
    /// was called OPEN, "clicks are taken", while every click heard 503.
    /// </summary>
    [Fact]
    public void Without_the_gate_a_sale_in_its_window_is_unavailable_and_only_the_database_says_sold_out()
    {
        Assert.Equal(CampaignStates.Unavailable, CampaignState.Of(Sale, Start.AddHours(1), remaining: null));
        Assert.Equal(CampaignStates.SoldOut, CampaignState.Of(new Coupon { TotalQuantity = 100, IssuedQuantity = 100, StartDate = Start, EndDate = Start.AddDays(1) },
            Start.AddHours(1), remaining: null));
    }

    /// <summary>
    /// A pause decides what a click in the window hears (503 SALE_PAUSED, before the gate is asked), whatever the gate
    /// holds; outside the window a click hears what it always did.
    /// </summary>
    [Theory]
    [InlineData(3600, 60L, CampaignStates.Paused)]
    [InlineData(3600, 0L, CampaignStates.Paused)]       // sold out in the gate, but no click reaches the gate
    [InlineData(3600, null, CampaignStates.Paused)]     // nor a missing one
    [InlineData(-1, null, CampaignStates.Scheduled)]    // it opens paused
    [InlineData(86_400, null, CampaignStates.Ended)]
    public void A_pause_decides_within_the_window_only(int secondsFromStart, long? remaining, string expected) =>
        Assert.Equal(expected, CampaignState.Of(Sale, Start.AddSeconds(secondsFromStart), remaining, paused: true));
}
