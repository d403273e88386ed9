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
        ["Kafka:SecurityProtocol"] = "SaslSsl",
        ["ConnectionStrings:redis"] = "redis:6379",
        ["Redis:Ssl"] = "true",
        ["ConnectionStrings:coupons"] = "Server=db;Database=coupons;User ID=coupons;Password=hunter2;SslMode=VerifyFull",
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

    [Theory]
    [InlineData("1")]
    [InlineData(" mysql")]
    [InlineData("MYSQL ")]
    public void A_provider_the_binder_reads_as_mysql_is_judged_as_mysql(string provider)
    {
        // Hostile review (issue 21): "1" and " mysql" bind to MySql, but the guard compared strings, took them for
        // SQLite (allowed by name) and never looked at the connection string's SslMode=None.
        var findings = Check(Environments.Production, ("Database:Provider", provider), ("Production:AllowSqlite", "true"),
            ("ConnectionStrings:coupons", "Server=db;Database=coupons;User ID=coupons;Password=hunter2;SslMode=None"));

        Assert.Contains("AllowPlaintextMySql", Assert.Single(findings), StringComparison.Ordinal);
    }

    [Fact]
    public void A_provider_that_is_none_is_named()
    {
        var finding = Assert.Single(Check(Environments.Production, ("Database:Provider", "Postgres")));

        Assert.Contains("Database__Provider='Postgres'", finding, StringComparison.Ordinal);
    }

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

    /// <summary>
    /// Plaintext to each store, however it is said (or not said): the setting to change, and the allowance.
    /// </summary>
    public static TheoryData<string, string?, string, string> PlaintextSettings => new()
    {
        { "Kafka:SecurityProtocol", null, "Kafka__SecurityProtocol", "AllowPlaintextKafka" },
        { "Kafka:SecurityProtocol", "Plaintext", "Kafka__SecurityProtocol", "AllowPlaintextKafka" },
        { "Kafka:SecurityProtocol", "SaslPlaintext", "Kafka__SecurityProtocol", "AllowPlaintextKafka" },
        { "Kafka:SecurityProtocol", "saslplaintext", "Kafka__SecurityProtocol", "AllowPlaintextKafka" },
        { "Redis:Ssl", null, "Redis__Ssl", "AllowPlaintextRedis" },
        { "Redis:Ssl", "false", "Redis__Ssl", "AllowPlaintextRedis" },
        { "ConnectionStrings:coupons", null, "ConnectionStrings__coupons", "AllowPlaintextMySql" },
        { "ConnectionStrings:coupons", "Server=db;User ID=coupons;Password=hunter2", "ConnectionStrings__coupons", "AllowPlaintextMySql" },
        { "ConnectionStrings:coupons", "Server=db;User ID=coupons;Password=hunter2;SslMode=None", "ConnectionStrings__coupons", "AllowPlaintextMySql" },
        { "ConnectionStrings:coupons", "Server=db;User ID=coupons;Password=hunter2;SslMode=Preferred", "ConnectionStrings__coupons", "AllowPlaintextMySql" },
        { "ConnectionStrings:coupons", "Server=db;User ID=coupons;Password=hunter2;SSL Mode=none", "ConnectionStrings__coupons", "AllowPlaintextMySql" },
        { "ConnectionStrings:coupons", "Server=db;User ID=coupons;Password=hunter2;SslMode=Maybe", "ConnectionStrings__coupons", "AllowPlaintextMySql" },
    };

    /// <summary>
    /// The old key, still read for one release, is held to the same rule (it is what the app would connect with).
    /// </summary>
    [Fact]
    public void A_plaintext_connection_string_under_its_old_key_is_refused_too()
    {
        var finding = Assert.Single(Check(Environments.Production, ("ConnectionStrings:coupons", null),
            ("Database:ConnectionString", "Server=db;User ID=coupons;Password=hunter2;SslMode=None")));

        Assert.Contains("AllowPlaintextMySql", finding, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(PlaintextSettings))]
    public void Plaintext_to_a_store_is_refused_naming_the_setting_unless_allowed_by_name(string key, string? value, string setting, string allowance)
    {
        var finding = Assert.Single(Check(Environments.Production, (key, value)));

        Assert.Contains(setting, finding, StringComparison.Ordinal);
        Assert.Contains($"Production__{allowance}=true", finding, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", finding, StringComparison.Ordinal);
        Assert.Empty(Check(Environments.Production, (key, value), ($"Production:{allowance}", "true")));
    }

    [Fact]
    public void Each_plaintext_allowance_lets_its_own_store_through_and_no_other()
    {
        var plaintext = new[] { ("Kafka:SecurityProtocol", (string?)"Plaintext"), ("Redis:Ssl", "false"), ("ConnectionStrings:coupons", "Server=db") };

        var findings = Check(Environments.Production, [.. plaintext, ("Production:AllowPlaintextRedis", "true")]);

        Assert.Equal(2, findings.Count);
        Assert.Contains(findings, f => f.Contains("Production__AllowPlaintextKafka=true", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Contains("Production__AllowPlaintextMySql=true", StringComparison.Ordinal));
    }

    /// <summary>
    /// MySqlConnector's SslMode: Required, VerifyCA and VerifyFull refuse a server without TLS; absent means Preferred,
    /// which does not.
    /// </summary>
    [Theory]
    [InlineData("Kafka:SecurityProtocol", "Ssl")]
    [InlineData("Kafka:SecurityProtocol", "SaslSsl")]
    [InlineData("Kafka:SecurityProtocol", "saslssl")]
    [InlineData("Redis:Ssl", "true")]
    [InlineData("Redis:Ssl", "True")]
    [InlineData("ConnectionStrings:coupons", "Server=db;Password=hunter2;SslMode=Required")]
    [InlineData("ConnectionStrings:coupons", "Server=db;Password=hunter2;SslMode=VerifyCA")]
    [InlineData("ConnectionStrings:coupons", "Server=db;Password=hunter2;SslMode=VerifyFull")]
    [InlineData("ConnectionStrings:coupons", "Server=db;Password=hunter2;SSL Mode=verifyfull")]
    public void Tls_to_a_store_passes(string key, string value) => Assert.Empty(Check(Environments.Production, (key, value)));

    /// <summary>
    /// StackExchange.Redis reads ssl=true from its configuration string: that is TLS too, without Redis:Ssl.
    /// </summary>
    [Theory]
    [InlineData("redis:6379,ssl=true")]
    [InlineData("s1:26379,s2:26379,serviceName=coupons,ssl=True,password=hunter2")]
    public void Ssl_in_the_redis_configuration_string_is_tls(string configuration) =>
        Assert.Empty(Check(Environments.Production, ("Redis:Ssl", null), ("ConnectionStrings:redis", configuration)));

    [Fact]
    public void Ssl_false_in_the_redis_configuration_string_is_plaintext() =>
        Assert.Contains("AllowPlaintextRedis", Assert.Single(Check(Environments.Production, ("Redis:Ssl", null), ("ConnectionStrings:redis", "redis:6379,ssl=false"))), StringComparison.Ordinal);

    /// <summary>
    /// An in-process store has no network to protect: it is refused as embedded (or SQLite), not also as plaintext.
    /// </summary>
    [Theory]
    [InlineData("Redis:Embedded", "Redis:Ssl", "false", "AllowEmbeddedRedis")]
    [InlineData("Kafka:Embedded", "Kafka:SecurityProtocol", "Plaintext", "AllowEmbeddedKafka")]
    public void An_embedded_store_is_refused_as_embedded_not_also_as_plaintext(string embedded, string key, string value, string allowance)
    {
        Assert.Contains(allowance, Assert.Single(Check(Environments.Production, (embedded, "true"), (key, value))), StringComparison.Ordinal);
        Assert.Empty(Check(Environments.Production, (embedded, "true"), (key, value), ($"Production:{allowance}", "true")));
    }

    [Fact]
    public void Sqlite_is_refused_as_sqlite_not_also_as_plaintext_mysql() =>
        Assert.Contains("AllowSqlite", Assert.Single(Check(Environments.Production, ("Database:Provider", "Sqlite"), ("ConnectionStrings:coupons", "Data Source=coupons.db"))), StringComparison.Ordinal);

    /// <summary>
    /// A protocol the client would not bind (librdkafka's SASL_SSL spelling) is named, not guessed at.
    /// </summary>
    [Fact]
    public void An_unknown_kafka_security_protocol_is_named() =>
        Assert.Contains("Kafka__SecurityProtocol='SASL_SSL'", Assert.Single(Check(Environments.Production, ("Kafka:SecurityProtocol", "SASL_SSL"))), StringComparison.Ordinal);

    /// <summary>
    /// A flag that is neither true nor false is named (an empty ${VAR} in compose), as every other flag.
    /// </summary>
    [Fact]
    public void A_redis_ssl_flag_that_is_neither_true_nor_false_is_named() =>
        Assert.Contains("Redis__Ssl='yes'", Assert.Single(Check(Environments.Production, ("Redis:Ssl", "yes"))), StringComparison.Ordinal);

    /// <summary>
    /// The repository's own Production launches run their stores in plaintext on loopback or a private network: each
    /// allows that by name, or it would no longer start (the local topology, the bench app, compose, the process
    /// tests).
    /// </summary>
    [Theory]
    [InlineData("src", "Coupons.AppHost", "AppReplicas.cs")]
    [InlineData("bench", "app.sh")]
    [InlineData("deploy", "docker-compose.yml")]
    [InlineData("tests", "Coupons.IntegrationTests", "Security", "ProductionGuardTests.cs")]
    public void The_repositorys_production_launches_allow_their_plaintext_stores_by_name(params string[] file)
    {
        var text = File.ReadAllText(RepositoryFiles.Path(file));

        Assert.All(["AllowPlaintextKafka", "AllowPlaintextRedis", "AllowPlaintextMySql"], allowance => Assert.Contains(allowance, text, StringComparison.Ordinal));
    }

    /// <summary>
    /// The auth code decodes keys with <see cref="Convert.TryFromBase64String(string, Span{byte}, out int)"/>, which
    /// skips whitespace.
    /// </summary>
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

    /// <summary>
    /// The AppHost cannot use the app's types, so its committed key is a literal there too: the two must stay equal.
    /// </summary>
    [Fact]
    public void The_topologys_committed_admin_key_is_in_the_published_list()
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(RepositoryFiles.Path("src", "Coupons.AppHost", "appsettings.json")));
        var committed = settings.RootElement.GetProperty("Topology").GetProperty("AdminApiKey").GetString();
        var committedRead = settings.RootElement.GetProperty("Topology").GetProperty("ReadAdminApiKey").GetString();

        Assert.Equal(PublishedKeys.TopologyAdminKey, committed);
        Assert.Equal(PublishedKeys.TopologyReadKey, committedRead);
        Assert.Contains(committed, PublishedKeys.AdminKeys);
        Assert.Contains(committedRead, PublishedKeys.AdminKeys);
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
