using Coupons.Catalog;
using Coupons.Infrastructure;
using Coupons.Infrastructure.Database;
using Coupons.Users;

namespace Coupons.Issuance;

public static class IssuanceServices
{
    /// <summary>
    /// The click (gate, publish, park), its limits, and the pipeline behind it: the relay of parked requests and the
    /// consumer that writes accepted requests to the database.
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
        services.AddHostedService<ParkedRequestRelay>();

        // The consumer, on a connection pool of its own
        services.AddSingleton<IssueRequestStore>().AddSingleton<ConsumerHealth>().AddSingleton<ConsumerBatchWriter>().AddSingleton<DeadLetterWriter>();
        services.AddKeyedSingleton(DatabaseServiceCollectionExtensions.ConsumerPool, (sp, key) =>
            new IssueRequestStore(sp.GetRequiredKeyedService<IDbConnectionFactory>(key), sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<IssueRequestConsumer>();

        // "Has everything this coupon accepted reached the database?", asked before gate rebuilds and unit returns.
        return services.AddSingleton<PipelineDrain>();
    }
}
