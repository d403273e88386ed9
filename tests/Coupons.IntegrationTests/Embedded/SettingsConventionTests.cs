using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Coupons.IntegrationTests.Embedded;

/// <summary>
/// Issue 22: the dev defaults live in appsettings.Development.json, addresses under ConnectionStrings; the old keys are
/// read for one release, with a warning, and win where they always did (a later source, such as the environment).
/// </summary>
[Trait("Category", "Embedded")]
public sealed class SettingsConventionTests : IAsyncLifetime
{
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"coupons-legacy-{Guid.NewGuid():N}.db");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _database, _database + "-wal", _database + "-shm" })
        {
            File.Delete(file);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_old_connection_string_key_is_still_read_over_the_dev_default_and_warned_about()
    {
        await using var app = new Factory("Development", ("Database:ConnectionString", $"Data Source={_database}"));
        var client = app.CreateClient();
        await ApiDriver.WaitUntilReadyAsync(client);

        var click = await ApiDriver.FirstIssueAsync(client, 11, "test-user");

        Assert.Equal(HttpStatusCode.Accepted, click.Status);
        await using var connection = new SqliteConnection($"Data Source={_database}");
        await connection.OpenAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM coupons WHERE id = 11";
        Assert.Equal(1L, await count.ExecuteScalarAsync()); // the demo coupon was seeded in the file the old key named
        var warning = Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Id == 1010);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("Database__ConnectionString is read as ConnectionStrings__coupons", warning.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Outside Development nothing is assumed: no connection string is a start refused by name, not a local file.
    /// </summary>
    [Fact]
    public void Outside_development_a_missing_connection_string_stops_the_start_naming_the_setting()
    {
        using var app = new Factory("Staging", ("Redis:Embedded", "true"), ("Kafka:Embedded", "true"), ("Redis:EmbeddedPort", "0"));

        var refused = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("ConnectionStrings__coupons", refused.ToString(), StringComparison.Ordinal);
    }

    private sealed class Factory(string environment, params (string Key, string Value)[] settings) : WebApplicationFactory<Program>
    {
        public FakeLogCollector Logs => Services.GetRequiredService<FakeLogCollector>();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment(environment);
            builder.UseSetting("Redis:EmbeddedPort", "0"); // a free port, so it never clashes with a running dev instance
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureServices(services => services.AddFakeLogging());
        }
    }
}
