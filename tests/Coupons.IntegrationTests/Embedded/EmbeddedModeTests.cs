using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Coupons.IntegrationTests.Embedded;

/// <summary>
/// The README's run command: the Development environment's settings as shipped (appsettings.Development.json: SQLite +
/// in-process Garnet + in-process mock Kafka, demo data), no test stack needed. The guide's own curl (design.md §1)
/// must work.
/// </summary>
[Trait("Category", "Embedded")]
public sealed class EmbeddedModeTests : IAsyncLifetime
{
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"coupons-embedded-{Guid.NewGuid():N}.db");
    private EmbeddedFactory _app = null!;

    public Task InitializeAsync()
    {
        _app = new EmbeddedFactory(_database);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _database, _database + "-wal", _database + "-shm" })
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_guides_curl_is_accepted_then_already_requested_then_issued()
    {
        var client = _app.CreateClient();
        await ApiDriver.WaitUntilReadyAsync(client);

        var first = await ApiDriver.FirstIssueAsync(client, 11, "test-user");
        var second = await ApiDriver.IssueAsync(client, 11, "test-user");

        Assert.Equal(HttpStatusCode.Accepted, first.Status);
        Assert.Equal((HttpStatusCode.Conflict, "ALREADY_REQUESTED"), (second.Status, second.Code));
        await Eventually.MatchesAsync(async () =>
        {
            using var response = await client.GetAsync($"/api/coupons/11/issue-requests/{first.RequestId}");
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return json.RootElement.GetProperty("status").GetString();
        }, status => status == "ISSUED", TimeSpan.FromSeconds(30), "the guide's click was never issued");
    }

    [Fact]
    public async Task The_embedded_garnet_tells_its_time_so_request_ids_are_minted_on_the_shared_clock()
    {
        await ApiDriver.WaitUntilReadyAsync(_app.CreateClient());
        var clock = _app.Services.GetRequiredService<Coupons.Infrastructure.Redis.RedisClock>();

        await clock.MeasureAsync(_app.Services.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>().GetDatabase());

        Assert.InRange(clock.Offset, TimeSpan.FromSeconds(-1), TimeSpan.FromSeconds(1)); // Garnet runs on this machine's clock
    }

    /// <summary>
    /// Issue 22: the version that runs, from git by MinVer, on /actuator/info and as coupons_build_info.
    /// </summary>
    [Fact]
    public async Task The_build_that_runs_is_on_actuator_info_and_in_the_metrics()
    {
        var client = _app.CreateClient();
        using var info = JsonDocument.Parse(await client.GetStringAsync("/actuator/info"));
        var version = info.RootElement.GetProperty("build").GetProperty("version").GetString()!;
        var commit = info.RootElement.GetProperty("git").GetProperty("commit").GetProperty("id").GetString()!;

        Assert.Matches(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.\-]+)?$", version); // semver, from the tag (or the next patch's pre-release between tags)
        Assert.Matches("^[0-9a-f]{40}$", commit);                     // built from a git checkout: the commit it was built from
        Assert.Equal((Coupons.Ops.BuildInfo.Version, Coupons.Ops.BuildInfo.Commit), (version, commit));
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Contains(metrics.Split('\n'), line => line.StartsWith("coupons_build_info{", StringComparison.Ordinal)
            && line.Contains($"version=\"{version}\"", StringComparison.Ordinal) && line.Contains($"commit=\"{commit}\"", StringComparison.Ordinal) && line.EndsWith(" 1", StringComparison.Ordinal));
    }

    /// <summary>Dev mode's interactive API reference (Scalar) renders the app's own OpenAPI document.</summary>
    [Fact]
    public async Task Dev_mode_serves_the_api_reference_over_the_apps_openapi_document()
    {
        var client = _app.CreateClient();

        using var page = await client.GetAsync("/scalar");
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"url\":\"openapi/v1.json\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var script = await client.GetAsync("/scalar/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.True(document.RootElement.GetProperty("paths").TryGetProperty("/api/coupons/{couponId}/issue-fcfs/{publicId}", out _));
    }

    [Fact]
    public async Task Demo_users_exist_and_the_health_body_is_spring_style()
    {
        var client = _app.CreateClient();
        await ApiDriver.WaitUntilReadyAsync(client);

        var demo = await ApiDriver.FirstIssueAsync(client, 11, "demo-user-1000");
        using var health = JsonDocument.Parse(await client.GetStringAsync("/actuator/health"));

        Assert.Equal(HttpStatusCode.Accepted, demo.Status);
        Assert.Equal("UP", health.RootElement.GetProperty("status").GetString());
        foreach (var component in new[] { "db", "redis", "kafka", "consumer" })
        {
            Assert.Equal("UP", health.RootElement.GetProperty("components").GetProperty(component).GetProperty("status").GetString());
        }
    }

    /// <summary>
    /// Dev mode issues tokens for demo users, so the authenticated path can be tried in a minute; a token is then
    /// checked.
    /// </summary>
    [Fact]
    public async Task Dev_mode_issues_tokens_for_demo_users_and_a_token_only_clicks_for_its_own_user()
    {
        var client = _app.CreateClient();
        await ApiDriver.WaitUntilReadyAsync(client);
        using var issued = await client.PostAsync("/dev/token/demo-user-7", null);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        using var json = JsonDocument.Parse(await issued.Content.ReadAsStringAsync());
        var token = json.RootElement.GetProperty("token").GetString()!;

        var own = await ApiDriver.IssueAsync(_app.CreateClient().WithToken(token), 11, "demo-user-7");
        var someoneElses = await ApiDriver.IssueAsync(_app.CreateClient().WithToken(token), 11, "demo-user-8");

        Assert.Equal(HttpStatusCode.Accepted, own.Status);
        Assert.Equal((HttpStatusCode.Forbidden, "SUBJECT_MISMATCH"), (someoneElses.Status, someoneElses.Code));
    }

    private sealed class EmbeddedFactory(string database) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development"); // as dotnet run's launch profile
            builder.UseSetting("ConnectionStrings:coupons", $"Data Source={database}");
            builder.UseSetting("Redis:EmbeddedPort", "0"); // a free port, so it never clashes with a running dev instance
        }
    }
}
