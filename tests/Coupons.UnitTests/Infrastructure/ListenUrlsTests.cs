using System.Net;
using System.Text.Json;
using Coupons.Infrastructure;

namespace Coupons.UnitTests.Infrastructure;

public sealed class ListenUrlsTests
{
    /// <summary>
    /// Dev mode runs with the published dev admin key, anonymous clicks and /dev/token: nobody else on the network may
    /// reach it.
    /// </summary>
    [Fact]
    public void Dev_mode_listens_on_loopback_only()
    {
        var urls = ListenUrls.Choose(configured: null, embeddedDevMode: true);

        Assert.All(urls.Split(';'), url =>
        {
            var host = new Uri(url).Host;
            var loopback = host == "localhost" || IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
            Assert.True(loopback, $"{url} is not loopback");
            Assert.Equal(8081, new Uri(url).Port);
        });
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_explicit_setting_wins(bool embeddedDevMode) =>
        Assert.Equal("http://0.0.0.0:9000", ListenUrls.Choose("http://0.0.0.0:9000", embeddedDevMode));

    /// <summary>Outside dev mode the app runs in a container or behind nginx on another host, as before.</summary>
    [Fact]
    public void Outside_dev_mode_the_default_is_every_interface() =>
        Assert.Equal("http://0.0.0.0:8081", ListenUrls.Choose(configured: null, embeddedDevMode: false));

    /// <summary>
    /// appsettings.json and appsettings.Development.json load after ASPNETCORE_URLS (and the launch profile's
    /// applicationUrl, which sets it): a Urls there would override both, and dev mode would listen on whatever it
    /// names.
    /// </summary>
    [Theory]
    [InlineData("appsettings.json")]
    [InlineData("appsettings.Development.json")]
    public void The_shipped_appsettings_name_no_urls(string file)
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(RepositoryFiles.Path("src", "Coupons.Api", file)));

        var urls = settings.RootElement.EnumerateObject()
            .Where(p => p.Name.Equals("Urls", StringComparison.OrdinalIgnoreCase))
            .Select(p => p.Value.ToString());

        Assert.False(urls.Any(), $"src/Coupons.Api/{file} names Urls {string.Join(", ", urls)}");
    }
}
