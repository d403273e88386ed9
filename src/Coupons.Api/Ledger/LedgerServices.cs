namespace Coupons.Ledger;

public static class LedgerServices
{
    public static IServiceCollection AddLedger(this IServiceCollection services) =>
        services.AddSingleton<RequestLedger>();
}
