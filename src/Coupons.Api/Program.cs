using Coupons;
using Coupons.Admin;
using Coupons.Auth;
using Coupons.Bench;
using Coupons.Campaigns;
using Coupons.Catalog;
using Coupons.Consumer;
using Coupons.Health;
using Coupons.Infrastructure;
using Coupons.Infrastructure.Database;
using Coupons.Infrastructure.Edge;
using Coupons.Issuance;
using Coupons.Ops;
using Coupons.Reconciliation;
using Coupons.Redemption;
using Coupons.UserCoupons;
using Coupons.Users;
using Scalar.AspNetCore;

var (migrateOnly, misspelt, hostArgs) = SchemaCommand.Parse(args);
if (misspelt is not null)               // --migrate=true, --MIGRATE: not the step, and the host would start the service instead
{
    await Console.Error.WriteLineAsync($"Unknown argument {misspelt}: the migration step is --migrate, exactly.");
    Environment.ExitCode = SchemaCommand.UsageExitCode;
    return;
}

var builder = WebApplication.CreateBuilder(hostArgs);

if (ProductionGuard.Refuses(builder))   // Production: no embedded stores, demo data, dev keys or anonymous clicks unless allowed
{
    Environment.ExitCode = ProductionGuard.ExitCode;
    return;
}

if (migrateOnly)                        // --migrate: the production migration step (a database user allowed DDL), then exit
{
    Environment.ExitCode = await SchemaCommand.RunAsync(builder.Configuration);
    return;
}

builder.AddEmbeddedDependencies()      // dev mode: Garnet + mock Kafka in-process
       .UseDevDefaultsWhenEmbedded()  // dev mode only: local-dev admin key, token key, anonymous clicks
       .UseDefaultUrls()              // :8081 unless configured; dev mode on loopback only
       .AddAdminListener()            // optional second listener for the admin API and /metrics
       .AddCouponServices();

var app = builder.Build();
app.WarnAboutLegacySettings();          // a store address under its old key: read for this release, and said so first

if (await SchemaCommand.RefusesOlderSchemaAsync(app.Services))   // a replica before the migration step: one line, exit 75
{
    Environment.ExitCode = SchemaBehindException.ExitCode;
    return;
}

app.UseMemoryShedding();      // a heap near its limit answers new public requests 429 instead of dying of OutOfMemory
app.UseForwardedClient();     // the client's address, believed from configured proxies only
app.UseExceptionHandler();
app.UseMiddleware<RetryAfterMiddleware>();
app.UseStatusCodePages();
app.UseAdminListener();       // admin API and /metrics: 404 on the public listener when an admin one is configured
app.UseClientLimits();        // per client address, before any token or key is checked
app.UseRouteIds();            // ids in the path: 400 with their own code, or canonical for the handler
app.UseAuthentication();
app.UseAuthorization();       // before any endpoint reads a body: the admin key and user tokens are checked first
app.UseBodyLimit();           // 413 for a body larger than the endpoint takes, before it is read
app.UseRateLimiter();         // per person and bulkheads, after authentication
app.UseRequestTimeouts();
app.UseMiddleware<AdminAuditMiddleware>();

app.MapCatalogApi();
app.MapSaleClockApi();                           // the server's time and a sale's countdown, for shoppers' pages
app.MapIssuanceApi();
app.MapUserCouponsApi();
app.MapRedemptionApi();                          // the order service's side: use a coupon at checkout, restore it on cancel
app.MapAdminApi()                                // the admin group (key, audit, limits): configuration, audit, consistency
   .MapCatalogAdminApi()                         // each feature adds its admin endpoints to the group
   .MapUsersAdminApi()
   .MapConsumerAdminApi()
   .MapReconciliationApi()
   .MapCampaignsAdminApi();
app.MapHealthApi();
app.MapBuildInfo();                              // GET /actuator/info: the version and commit that run
app.MapPrometheusScrapingEndpoint(AdminListener.MetricsPath);
app.MapOpenApi(ApiDocument.Path);                // the API described (admin listener only, where one is configured)
app.MapDbLockBaselineApi(app.Configuration);   // bench-only, off by default
if (app.Configuration.IsEmbeddedDevMode(app.Environment))
{
    app.MapDevTokens();                          // dev mode only: POST /dev/token/{publicId}
    app.MapScalarApiReference();                 // dev mode only: the interactive API reference at /scalar
}

await app.RunAsync();

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
