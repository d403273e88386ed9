namespace Coupons.Campaigns;

public static class CampaignsServices
{
    /// <summary>
    /// The campaigns as their managers see them (<see cref="CampaignBoard"/>) and the changes of their windows.
    /// </summary>
    public static IServiceCollection AddCampaigns(this IServiceCollection services) => services.AddSingleton<CampaignBoard>().AddSingleton<CampaignWindowChanges>();
}
