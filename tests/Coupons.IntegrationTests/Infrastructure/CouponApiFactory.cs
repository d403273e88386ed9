using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Coupons.IntegrationTests.Infrastructure;

/// <summary>
/// The real app (same Program, same wiring) pointed at the real test stack. Several factories in one
/// process behave as several app instances sharing MariaDB, Redis and the Kafka consumer group.
/// </summary>
public sealed class CouponApiFactory : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string?> _settings;

    public CouponApiFactory(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var settings = TestStack.AppSettings();
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        _settings = settings;
    }

    public ServerErrorCounter ServerErrors { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new ServerErrorCounterStartupFilter(ServerErrors)));
    }

    /// <summary>A client that sends the admin key.</summary>
    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Admin-Key", TestStack.AdminKey);
        return client;
    }
}
