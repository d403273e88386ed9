using Coupons;
using Coupons.Admin;
using Coupons.Auth;
using Coupons.Bench;
using Coupons.Catalog;
using Coupons.Infrastructure;
using Coupons.Infrastructure.Http;
using Coupons.Issuance;
using Coupons.Ops;
using Coupons.UserCoupons;

var builder = WebApplication.CreateBuilder(args);

builder.AddEmbeddedDependencies()      // dev mode: Garnet + mock Kafka in-process
       .UseDevDefaultsWhenEmbedded()  // dev mode only: local-dev admin key, token key, anonymous clicks
       .AddCouponServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseMiddleware<RetryAfterMiddleware>();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();      // before any endpoint reads a body: the admin key is checked first
app.UseRateLimiter();

app.MapCatalogApi();
app.MapIssuanceApi();
app.MapUserCouponsApi();
app.MapAdminApi();
app.MapHealthApi();
app.MapPrometheusScrapingEndpoint("/metrics");
app.MapDbLockBaselineApi(app.Configuration);   // bench-only, off by default
if (app.Configuration.IsEmbeddedDevMode())
{
    app.MapDevTokens();                          // dev mode only: POST /dev/token/{publicId}
}

await app.RunAsync();

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
