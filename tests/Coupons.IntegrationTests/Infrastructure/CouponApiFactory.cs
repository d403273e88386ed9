using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;

namespace Coupons.IntegrationTests.Infrastructure;

/// <summary>
/// The real app (same Program, same wiring) pointed at the real test stack. Several factories in one
/// process behave as several app instances sharing MariaDB, Redis and the Kafka consumer group.
/// </summary>
public sealed class CouponApiFactory : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    /// <param name="overrides">Configuration over the test stack's.</param>
    /// <param name="services">Services over the app's (e.g. a clock of its own, for skew).</param>
    public CouponApiFactory(IReadOnlyDictionary<string, string?>? overrides = null, Action<IServiceCollection>? services = null)
    {
        _services = services;
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
        if (_services is { } configure)
        {
            builder.ConfigureTestServices(configure);
        }
    }

    /// <summary>A client that sends the admin key.</summary>
    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Admin-Key", TestStack.AdminKey);
        return client;
    }
}
