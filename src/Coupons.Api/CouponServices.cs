using Coupons.Admin;
using Coupons.Auth;
using Coupons.Campaigns;
using Coupons.Catalog;
using Coupons.Consumer;
using Coupons.Gate;
using Coupons.Health;
using Coupons.Infrastructure;
using Coupons.Infrastructure.Database;
using Coupons.Infrastructure.Edge;
using Coupons.Infrastructure.Kafka;
using Coupons.Infrastructure.Redis;
using Coupons.Issuance;
using Coupons.Ledger;
using Coupons.Ops;
using Coupons.Outbox;
using Coupons.Pauses;
using Coupons.Reconciliation;
using Coupons.Redemption;
using Coupons.Seeding;
using Coupons.UserCoupons;
using Coupons.Users;

namespace Coupons;

public static class CouponServices
{
    /// <summary>Every feature registers itself, binding and checking its own options; lower layers first.</summary>
    public static WebApplicationBuilder AddCouponServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddSeeding(configuration);            // first hosted service: the store is ready before anything else runs
        services.AddSingleton(TimeProvider.System);
        services.AddHttp();                            // problem details with stable codes, JSON, the OpenAPI document
        services.AddEdge(configuration);               // client address, Kestrel limits, per-client limits, request timeout
        // Hot users and coupon definitions only: the Redis user registry holds the rest, and RSS stays bounded.
        services.AddMemoryCache(o => o.SizeLimit = 50_000);

        services.AddDatabase(configuration);     // MySQL or SQLite, with a pool of its own for the consumer
        services.AddRedis(configuration);
        services.AddKafka(configuration);        // producer, topics, consumer lag

        services.AddCatalog()
                .AddPauses(configuration)              // the sale's kill switch
                .AddUsers()
                .AddUserCoupons()
                .AddLedger()
                .AddOutbox(configuration)              // the shop's events, written with the changes they tell of
                .AddGate(configuration)
                .AddIssuance(configuration)
                .AddConsumer()                         // after the relay: hosted services stop in reverse, the consumer first
                .AddReconciliation(configuration)
                .AddCampaigns()
                .AddRedemption(configuration)                       // the order service's side: use at checkout, restore on cancel
                .AddAuth(configuration)
                .AddAdmin(configuration);

        services.AddHealth();
        services.AddOps(builder);          // metrics on /metrics, traces when OTLP is configured
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

    /// <summary>
    /// The public listener's URLs (<see cref="ListenUrls"/>): an explicit setting, else loopback in dev mode and every
    /// interface otherwise. Not in appsettings.json: loaded after ASPNETCORE_URLS, a Urls there would override it.
    /// </summary>
    public static WebApplicationBuilder UseDefaultUrls(this WebApplicationBuilder builder)
    {
        var configured = builder.Configuration[WebHostDefaults.ServerUrlsKey];
        var urls = ListenUrls.Choose(configured, builder.Configuration.IsEmbeddedDevMode(builder.Environment));
        builder.Configuration.AddInMemoryCollection([new(WebHostDefaults.ServerUrlsKey, urls)]);
        return builder;
    }
}
