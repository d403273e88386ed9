using Coupons.Catalog;
using Coupons.Infrastructure;
using Coupons.Users;

namespace Coupons.Issuance;

public static class IssuanceServices
{
    /// <summary>
    /// The click (gate, publish, park), its limits, the relay of parked requests, and the questions asked of the
    /// pipeline behind it (a request's status; has everything a coupon accepted reached the database?). The consumer
    /// that writes accepted requests is <see cref="Consumer.ConsumerServices.AddConsumer"/>.
    /// </summary>
    public static IServiceCollection AddIssuance(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedOptions<IssuanceOptions>(configuration, IssuanceOptions.Section);
        // Catalog and users sit below Issuance; their limits are Issuance settings, handed down here.
        services.AddOptions<CatalogOptions>().Configure<IOptions<IssuanceOptions>>((catalog, issuance) => catalog.MaxStale = issuance.Value.MaxDatabaseOutage);
        services.AddOptions<UserDirectoryOptions>().Configure<IOptions<IssuanceOptions>>((users, issuance) => users.MaxConcurrentLookups = issuance.Value.MaxConcurrentUserLookups);
        services.AddIssuanceRateLimiting();

        // The click
        services.AddSingleton<FcfsIssuer>().AddSingleton<IssueRequestPublisher>().AddSingleton<ParkedRequests>().AddSingleton<RequestStatusLookup>().AddSingleton<InFlightWitness>();
        services.AddHostedService<ParkedRequestRelayLoop>();

        // A request's outcome pushed to whoever waits on it: bounded streams, one database query per round for all.
        services.AddSingleton<RequestWatches>().AddHostedService<RequestWatchLoop>();

        // "Has everything this coupon accepted reached the database?", asked before gate rebuilds and unit returns.
        return services.AddSingleton<PipelineDrain>();
    }
}
