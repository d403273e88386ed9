using Coupons.Catalog;

namespace Coupons.Campaigns;

/// <summary>
/// The state of a campaign at a moment: pure, from its window, its issued units and the gate's stock.
/// </summary>
public static class CampaignState
{
    /// <param name="remaining">
    /// The gate's units left (below zero while a restored holder waits for reconciliation); null when the gate was not
    /// read, and then a sale in its window takes no click (503) unless the database shows it sold out.
    /// </param>
    /// <param name="paused">
    /// Whether a pause (its own or every sale's) stops its clicks: in its window that decides what a click hears,
    /// before the gate is asked.
    /// </param>
    public static string Of(Coupon coupon, DateTime utcNow, long? remaining, bool paused = false) =>
        utcNow < coupon.StartDate ? CampaignStates.Scheduled
        : utcNow >= coupon.EndDate ? CampaignStates.Ended
        : paused ? CampaignStates.Paused
        : remaining <= 0 || coupon.IssuedQuantity >= coupon.TotalQuantity ? CampaignStates.SoldOut
        : remaining is null ? CampaignStates.Unavailable
        : CampaignStates.Open;
}
