using System.Text.Json;
using Coupons.Admin;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace Coupons.UnitTests;

public sealed class ProductionGuardTests
{
    private static readonly Dictionary<string, string?> Safe = new()
    {
        ["Redis:Embedded"] = "false",
        ["Kafka:Embedded"] = "false",
        ["Database:Provider"] = "MySql",
        ["Seed:DemoData"] = "false",
        ["Admin:ApiKey"] = "an-admin-key-of-forty-bytes-0123456789ab",
        ["Auth:AllowAnonymous"] = "false",
        ["Auth:SigningKeys:0:Key"] = "cHJvZHVjdGlvbi1rZXktMDEyMzQ1Njc4OWFiY2RlZg==",
    };

    private static IReadOnlyList<string> Check(string environment, params (string Key, string? Value)[] changes)
    {
        var settings = new Dictionary<string, string?>(Safe);
        foreach (var (key, value) in changes)
        {
            settings[key] = value;
        }

        return ProductionGuard.Check(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), new Environment(environment));
    }

    [Fact]
    public void A_safe_production_configuration_passes() => Assert.Empty(Check(Environments.Production));

    [Fact]
    public void Outside_production_nothing_is_refused() =>
        Assert.Empty(Check(Environments.Development, ("Redis:Embedded", "true"), ("Database:Provider", "Sqlite"), ("Auth:AllowAnonymous", "true")));

    [Fact]
    public void A_missing_provider_is_sqlite_and_refused() =>
        Assert.Contains("Database__Provider", Assert.Single(Check(Environments.Production, ("Database:Provider", null))), StringComparison.Ordinal);

    [Fact]
    public void No_admin_key_at_all_is_safe_the_admin_api_refuses_every_call() =>
        Assert.Empty(Check(Environments.Production, ("Admin:ApiKey", "")));

    [Fact]
    public void The_dev_key_is_refused_as_the_dev_key_not_also_as_a_short_one()
    {
        var finding = Assert.Single(Check(Environments.Production, ("Admin:ApiKey", "local-dev-admin-key")));
        Assert.Contains("AllowDevAdminKey", finding, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_allowance_lets_its_own_setting_through_and_no_other()
    {
        var findings = Check(Environments.Production, ("Redis:Embedded", "true"), ("Kafka:Embedded", "true"), ("Production:AllowEmbeddedRedis", "true"));

        Assert.Contains("Kafka__Embedded", Assert.Single(findings), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Redis:Embedded", "Redis__Embedded")]
    [InlineData("Auth:AllowAnonymous", "Auth__AllowAnonymous")]
    public void A_flag_that_is_neither_true_nor_false_is_named(string key, string setting) =>
        Assert.Contains($"{setting}='yes please'", Assert.Single(Check(Environments.Production, (key, "yes please"))), StringComparison.Ordinal);

    [Fact]
    public void An_allowance_that_is_neither_true_nor_false_allows_nothing()
    {
        var findings = Check(Environments.Production, ("Database:Provider", "Sqlite"), ("Production:AllowSqlite", "yes please"));

        Assert.Equal(2, findings.Count);
        Assert.Contains(findings, f => f.Contains("Production__AllowSqlite='yes please'", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Contains("Database__Provider is Sqlite", StringComparison.Ordinal));
    }

    [Fact]
    public void A_short_rotated_key_is_named_by_its_setting()
    {
        var finding = Assert.Single(Check(Environments.Production, ("Admin:Keys:3:Id", "next"), ("Admin:Keys:3:Key", "short")));

        Assert.Contains("Admin__Keys__3__Key", finding, StringComparison.Ordinal);
        Assert.DoesNotContain("Admin__ApiKey", finding, StringComparison.Ordinal);
    }

    [Fact]
    public void The_unauthenticated_db_lock_baseline_is_refused_unless_allowed_by_name()
    {
        var finding = Assert.Single(Check(Environments.Production, ("Bench:DbLockBaseline", "true")));

        Assert.Contains("Bench__DbLockBaseline", finding, StringComparison.Ordinal);
        Assert.Contains("Production__AllowDbLockBaseline=true", finding, StringComparison.Ordinal);
        Assert.Empty(Check(Environments.Production, ("Bench:DbLockBaseline", "true"), ("Production:AllowDbLockBaseline", "true")));
        Assert.Empty(Check(Environments.Production, ("Bench:DbLockBaseline", "false")));
    }

    [Theory]
    [InlineData("Admin:ApiKey")]
    [InlineData("Admin:Keys:0:Key")]
    public void The_local_topologys_committed_admin_key_is_refused_as_published(string setting)
    {
        var finding = Assert.Single(Check(Environments.Production, (setting, "local-topology-admin-key-NOT-A-SECRET-0001")));

        Assert.Contains("AllowDevAdminKey", finding, StringComparison.Ordinal);
        Assert.Contains(setting.Replace(":", "__", StringComparison.Ordinal), finding, StringComparison.Ordinal);
    }

    /// <summary>The auth code decodes keys with Convert.TryFromBase64String, which skips whitespace: each of these is the dev key.</summary>
    [Theory]
    [InlineData("bG9jYWwtZGV2LWp3dC1rZXktbm90LWEtc2VjcmV0LTAxMjM0NTY3ODk= ")]
    [InlineData(" bG9jYWwtZGV2LWp3dC1rZXktbm90LWEtc2VjcmV0LTAxMjM0NTY3ODk=")]
    [InlineData("bG9jYWwtZGV2LWp3dC1r ZXktbm90LWEtc2VjcmV0 LTAxMjM0NTY3ODk=")]
    [InlineData("bG9jYWwtZGV2LWp3dC1rZXktbm90\nLWEtc2VjcmV0LTAxMjM0NTY3ODk=\n")]
    [InlineData("bG9jYWwtZGV2LWp3dC1rZXktbm90\r\n\tLWEtc2VjcmV0LTAxMjM0NTY3ODk=")]
    public void A_reformatted_copy_of_the_dev_signing_key_is_refused(string key)
    {
        var finding = Assert.Single(Check(Environments.Production, ("Auth:SigningKeys:0:Key", key)));

        Assert.Contains("AllowDevSigningKey", finding, StringComparison.Ordinal);
    }

    /// <summary>The AppHost cannot use the app's types, so its committed key is a literal there too: the two must stay equal.</summary>
    [Fact]
    public void The_topologys_committed_admin_key_is_in_the_published_list()
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(RepositoryFiles.Path("src", "Coupons.AppHost", "appsettings.json")));
        var committed = settings.RootElement.GetProperty("Topology").GetProperty("AdminApiKey").GetString();

        Assert.Equal(PublishedKeys.TopologyAdminKey, committed);
        Assert.Contains(committed, PublishedKeys.AdminKeys);
        Assert.Contains(AdminOptions.EmbeddedDevKey, PublishedKeys.AdminKeys);
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "Coupons.Api";

        public string ContentRootPath { get; set; } = "/";

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
