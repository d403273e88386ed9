using Coupons.Admin;
using Coupons.Auth;
using Coupons.Catalog;
using Coupons.Gate;
using Coupons.Health;
using Coupons.Infrastructure.Database;
using Coupons.Infrastructure.Edge;
using Coupons.Infrastructure.Http;
using Coupons.Infrastructure.Kafka;
using Coupons.Infrastructure.Redis;
using Coupons.Issuance;
using Coupons.Ledger;
using Coupons.Ops;
using Coupons.Reconciliation;
using Coupons.Seeding;
using Coupons.UserCoupons;
using Coupons.Users;
using Microsoft.Extensions.Options;

namespace Coupons;

public static class CouponServices
{
    public static WebApplicationBuilder AddCouponServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        // First hosted service: the store is ready before the consumer runs and before Kestrel listens.
        services.AddSingleton<StoreInitializer>().AddHostedService(sp => sp.GetRequiredService<StoreInitializer>());
        services.AddSingleton(TimeProvider.System);
        // Client address from trusted proxies, Kestrel limits, per-client limits, request timeout (public endpoints take no body).
        services.AddEdge(configuration);
        // Hot users and coupon definitions only: the Redis user registry holds the rest, and RSS stays bounded.
        services.AddMemoryCache(o => o.SizeLimit = 50_000);
        services.AddProblemDetails();
        services.AddExceptionHandler<DependencyExceptionHandler>();
        // Unreadable bodies throw, so DependencyExceptionHandler answers them with coded problem details in every environment.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));

        services.AddCouponDatabase(configuration);
        services.AddCouponRedis(configuration);
        services.AddCouponKafka(configuration);

        services.AddSingleton<CouponRepository>().AddSingleton<CouponCatalog>().AddSingleton<IssuableCoupons>();
        // Catalog and users sit below Issuance; their limits are Issuance settings, handed down here.
        services.AddOptions<CatalogOptions>().Configure<IOptions<IssuanceOptions>>((catalog, issuance) => catalog.MaxStale = issuance.Value.MaxDatabaseOutage);
        services.AddOptions<UserDirectoryOptions>().Configure<IOptions<IssuanceOptions>>((users, issuance) => users.MaxConcurrentLookups = issuance.Value.MaxConcurrentUserLookups);
        services.AddSingleton<UserRepository>().AddSingleton<UserRegistry>().AddSingleton<UserDirectory>();
        services.AddSingleton<UserCouponRepository>();

        services.AddOptions<GateOptions>().Bind(configuration.GetSection(GateOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<StockGate>().AddSingleton<GateInspector>().AddSingleton<GateRepair>();
        services.AddSingleton<GateBatcher>().AddSingleton<UncertainTakes>();
        services.AddSingleton<IssueRequestPublisher>().AddSingleton<ParkedRequests>().AddSingleton<RequestStatusLookup>();
        services.AddIssuanceRateLimiting(configuration);
        services.AddSingleton<FcfsIssuer>().AddSingleton<IssueRequestStore>().AddSingleton<ConsumerHealth>();
        services.AddKeyedSingleton(DatabaseServiceCollectionExtensions.ConsumerPool, (sp, key) =>
            new IssueRequestStore(sp.GetRequiredKeyedService<IDbConnectionFactory>(key), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ConsumerBatchWriter>().AddSingleton<DeadLetterWriter>();
        services.AddHostedService<ParkedRequestRelay>().AddHostedService(sp => sp.GetRequiredService<UncertainTakes>());
        if (configuration.GetValue($"{KafkaOptions.Section}:{nameof(KafkaOptions.RunConsumer)}", true))
        {
            services.AddHostedService<IssueRequestConsumer>();
        }

        services.AddOptions<ReconciliationOptions>().Bind(configuration.GetSection(ReconciliationOptions.Section));
        services.AddSingleton<ConsumerLag>().AddSingleton<PipelineDrain>().AddSingleton<RequestLedger>().AddSingleton<Reconciler>();
        services.AddSingleton<GateTrustVerifier>();
        services.AddHostedService<GateKeeper>().AddHostedService<ReconciliationService>();

        services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.Section))
            .Validate(o => o.Keys.All(k => k.Id.Length > 0 && k.Key.Length > 0), "Admin: every Admin__Keys entry needs an Id and a Key")
            .Validate(o => o.Url.Length == 0 || o.Port is not null, "Admin: Admin__Url must be an absolute URL such as http://127.0.0.1:9081")
            .ValidateOnStart();
        services.AddAdminAuthentication();
        services.AddUserAuthentication(configuration).AddHostedService<AnonymousAccessWarning>();
        services.AddSingleton<EventOpener>().AddSingleton<ConsistencyReporter>().AddSingleton<DeadLetters>().AddSingleton<AdminAuditLog>();

        services.AddOptions<SeedOptions>().Bind(configuration.GetSection(SeedOptions.Section));

        services.AddSingleton<CouponMetrics>().AddHostedService<DependencyMonitor>();
        services.AddCouponHealthChecks();
        services.AddCouponTelemetry(builder);
        return builder;
    }

    /// <summary>
    /// Embedded dev mode: Redis and Kafka in-process, nothing installed, no secrets configured. Never in Production:
    /// there embedded stores are only ever an explicit allowance (<see cref="ProductionGuard"/>), and the dev keys,
    /// anonymous clicks and dev tokens stay off.
    /// </summary>
    public static bool IsEmbeddedDevMode(this IConfiguration configuration, IHostEnvironment environment) =>
        !environment.IsProduction() && configuration.GetValue<bool>("Redis:Embedded") && configuration.GetValue<bool>("Kafka:Embedded");

    /// <summary>
    /// Embedded dev mode runs without configured secrets; it alone gets the marked local-dev admin key and token key,
    /// and anonymous clicks as in the seed's curl (each unless configured otherwise).
    /// </summary>
    public static WebApplicationBuilder UseDevDefaultsWhenEmbedded(this WebApplicationBuilder builder)
    {
        if (!builder.Configuration.IsEmbeddedDevMode(builder.Environment))
        {
            return builder;
        }

        var defaults = DevTokens.Defaults(builder.Configuration).ToList();
        if (string.IsNullOrEmpty(builder.Configuration["Admin:ApiKey"]))
        {
            defaults.Add(new("Admin:ApiKey", AdminOptions.EmbeddedDevKey));
        }

        builder.Configuration.AddInMemoryCollection(defaults);
        return builder;
    }
}
