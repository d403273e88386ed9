using Coupons.IntegrationTests.Faults;

namespace Coupons.IntegrationTests.Security;

/// <summary>
/// In Production the app refuses dev-mode conveniences unless each is explicitly allowed: it exits non-zero with one
/// line naming the setting (design.md §9; docs/security.md). The real built app, as a process, with an otherwise safe
/// production configuration.
/// </summary>
[Trait("Category", "Security")]
[Collection(FaultCollection.Name)] // two of these start an app that joins the shared consumer group
public sealed class ProductionGuardTests
{
    private const string StrongAdminKey = "prod-test-admin-key-0123456789abcdef-not-a-secret";

    /// <summary>
    /// Everything a production deployment sets, all of it safe: the real stack, a long admin key, tokens required.
    /// </summary>
    private static Dictionary<string, string> SafeProduction(params (string Key, string Value)[] changes)
    {
        var settings = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Admin:ApiKey"] = StrongAdminKey,
            ["Auth:AllowAnonymous"] = "false",
            // The test stack speaks plaintext on loopback: allowed by name (each refusal has its own case below).
            ["Production:AllowPlaintextKafka"] = "true",
            ["Production:AllowPlaintextRedis"] = "true",
            ["Production:AllowPlaintextMySql"] = "true",
        };
        foreach (var (key, value) in changes)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Theory]
    [InlineData("Redis:Embedded", "true", "Redis__Embedded", "AllowEmbeddedRedis")]
    [InlineData("Kafka:Embedded", "true", "Kafka__Embedded", "AllowEmbeddedKafka")]
    [InlineData("Database:Provider", "Sqlite", "Database__Provider", "AllowSqlite")]
    [InlineData("Seed:DemoData", "true", "Seed__DemoData", "AllowDemoData")]
    [InlineData("Admin:ApiKey", "local-dev-admin-key", "Admin__ApiKey", "AllowDevAdminKey")]
    [InlineData("Admin:ApiKey", "local-topology-admin-key-NOT-A-SECRET-0001", "Admin__ApiKey", "AllowDevAdminKey")]
    [InlineData("Admin:ApiKey", "short-admin-key-of-31-bytes-xxx", "Admin__ApiKey", "AllowShortAdminKey")]
    [InlineData("Admin:Keys:0:Key", "rotated-but-short", "Admin__Keys__0__Key", "AllowShortAdminKey")]
    [InlineData("Auth:AllowAnonymous", "true", "Auth__AllowAnonymous", "AllowAnonymousClicks")]
    [InlineData("Auth:SigningKeys:0:Key", "bG9jYWwtZGV2LWp3dC1rZXktbm90LWEtc2VjcmV0LTAxMjM0NTY3ODk=", "Auth__SigningKeys", "AllowDevSigningKey")]
    [InlineData("Auth:SigningKeys:0:Key", "bG9jYWwtZGV2LWp3dC1r ZXktbm90LWEtc2VjcmV0 LTAxMjM0NTY3ODk=", "Auth__SigningKeys", "AllowDevSigningKey")]
    [InlineData("Bench:DbLockBaseline", "true", "Bench__DbLockBaseline", "AllowDbLockBaseline")]
    [InlineData("Production:AllowPlaintextKafka", "false", "Kafka__SecurityProtocol", "AllowPlaintextKafka")]
    [InlineData("Production:AllowPlaintextRedis", "false", "Redis__Ssl", "AllowPlaintextRedis")]
    [InlineData("Production:AllowPlaintextMySql", "false", "ConnectionStrings__coupons", "AllowPlaintextMySql")]
    public async Task An_unsafe_production_setting_stops_the_start_with_one_line_naming_it(string key, string value, string setting, string allowance)
    {
        var settings = SafeProduction((key, value));
        if (key.StartsWith("Admin:Keys", StringComparison.Ordinal))
        {
            settings["Admin:Keys:0:Id"] = "ops-next";
        }

        var (exitCode, stderr) = await AppProcess.RunToExitAsync(settings, TimeSpan.FromSeconds(60));

        Assert.Equal(78, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("Refusing to start in Production:", line, StringComparison.Ordinal);
        Assert.Contains(setting, line, StringComparison.Ordinal);
        Assert.Contains($"Production__{allowance}=true", line, StringComparison.Ordinal);
    }

    /// <summary>
    /// A flag left empty (compose's <c>${VAR}</c> with VAR unset) is a refusal naming it, not a crash with a stack
    /// trace.
    /// </summary>
    [Fact]
    public async Task A_flag_that_is_neither_true_nor_false_is_refused_by_name()
    {
        var (exitCode, stderr) = await AppProcess.RunToExitAsync(SafeProduction(("Auth:AllowAnonymous", "")), TimeSpan.FromSeconds(60));

        Assert.Equal(78, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("Auth__AllowAnonymous", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_shipped_dev_defaults_are_refused_in_production_one_line_per_setting()
    {
        // Dev mode's settings (appsettings.Development.json), as a deployment that copied them would run.
        var settings = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Database:Provider"] = "Sqlite",
            ["Redis:Embedded"] = "true",
            ["Kafka:Embedded"] = "true",
            ["Seed:DemoData"] = "true",
            ["Admin:ApiKey"] = "",
            ["Auth:AllowAnonymous"] = "true",
        };

        var (exitCode, stderr) = await AppProcess.RunToExitAsync(settings, TimeSpan.FromSeconds(60));

        Assert.Equal(78, exitCode);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        foreach (var setting in new[] { "Redis__Embedded", "Kafka__Embedded", "Database__Provider", "Seed__DemoData", "Auth__AllowAnonymous" })
        {
            Assert.Single(lines, l => l.Contains(setting, StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// The seed's curl, anonymous, against a production app: 401 with a stable code, and nothing taken.
    /// </summary>
    [Fact]
    public async Task In_production_the_seeds_anonymous_curl_gets_401()
    {
        await using var app = await AppProcess.StartAsync(FreeTcpPort.Find(), SafeProduction(), "production-401");
        var api = new ApiDriver(app.Client, AdminClient(app));
        var couponId = await api.CreateOpenCouponAsync(5);
        var user = (await api.CreateUsersAsync(1)).Single();

        var anonymous = await ApiDriver.IssueAsync(app.Client, couponId, user);

        Assert.Equal((HttpStatusCode.Unauthorized, "TOKEN_MISSING"), (anonymous.Status, anonymous.Code));
        using var withToken = AppProcess.ClientFor(app.Port).WithToken(TestTokens.For(user));
        Assert.Equal(HttpStatusCode.Accepted, (await ApiDriver.IssueAsync(withToken, couponId, user)).Status);
        Assert.Equal((long?)4, (await api.WaitForDrainAsync(couponId)).Redis.RemainingStock);
    }

    /// <summary>An explicit allowance is exactly that: the same setting starts, and anonymous clicks work.</summary>
    [Fact]
    public async Task An_unsafe_setting_explicitly_allowed_starts()
    {
        var settings = SafeProduction(("Auth:AllowAnonymous", "true"), ("Production:AllowAnonymousClicks", "true"));
        await using var app = await AppProcess.StartAsync(FreeTcpPort.Find(), settings, "production-allowed");
        var api = new ApiDriver(app.Client, AdminClient(app));
        var couponId = await api.CreateOpenCouponAsync(5);
        var user = (await api.CreateUsersAsync(1)).Single();

        Assert.Equal(HttpStatusCode.Accepted, (await api.IssueAsync(couponId, user)).Status);
    }

    /// <summary>
    /// Allowing the embedded stores in Production allows exactly that: the dev mode's other conveniences (the dev admin
    /// key, the dev token key, anonymous clicks, <c>POST /dev/token</c>) stay off, even with no key or issuer
    /// configured.
    /// </summary>
    [Fact]
    public async Task Allowing_embedded_stores_in_production_does_not_bring_the_dev_keys_or_dev_tokens()
    {
        var settings = SafeProduction(
            ("Redis:Embedded", "true"), ("Production:AllowEmbeddedRedis", "true"), ("Redis:EmbeddedPort", $"{FreeTcpPort.Find()}"),
            ("Kafka:Embedded", "true"), ("Production:AllowEmbeddedKafka", "true"),
            ("Admin:ApiKey", AppProcess.Unset), ("Auth:Issuer", AppProcess.Unset), ("Auth:AllowAnonymous", AppProcess.Unset));
        await using var app = await AppProcess.StartAsync(FreeTcpPort.Find(), settings, "production-embedded");
        using var devAdmin = AppProcess.ClientFor(app.Port);
        devAdmin.DefaultRequestHeaders.Add("X-Admin-Key", "local-dev-admin-key");

        var devToken = await app.Client.PostAsync("/dev/token/test-user", null);
        var adminCall = await devAdmin.GetAsync("/api/admin/dead-letters");
        var anonymousClick = await ApiDriver.IssueAsync(app.Client, 11, "test-user");

        Assert.Equal(HttpStatusCode.NotFound, devToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, adminCall.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousClick.Status);
    }

    private static HttpClient AdminClient(AppProcess app)
    {
        var admin = AppProcess.ClientFor(app.Port);
        admin.DefaultRequestHeaders.Add("X-Admin-Key", StrongAdminKey);
        return admin;
    }
}
