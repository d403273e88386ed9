using System.Text;
using Coupons.Admin;
using Coupons.Auth;
using Coupons.Bench;
using Coupons.Infrastructure;
using Coupons.Infrastructure.Database;
using Coupons.Infrastructure.Kafka;
using Coupons.Infrastructure.Redis;
using MySqlConnector;

namespace Coupons;

/// <summary>
/// Production refuses the conveniences of dev mode (design.md §9; docs/security.md). Each is an unsafe default that is
/// easy to ship by accident: dev mode's settings (appsettings.Development.json) are one copied file or variable away,
/// and a deployment that copies one would otherwise run on an in-process Redis, a SQLite file, demo users, a published
/// dev key or anonymous clicks. The benchmark's DB-lock baseline (off by default, but one copied setting away) issues
/// coupons without a token and is refused too, and so is plaintext to Kafka, Redis or MySQL over the network (each
/// client's default). In the Production environment the app does not start with any of them unless that one is
/// explicitly allowed (<c>Production__Allow…=true</c>); it prints one line per finding, naming the setting, and exits
/// with <see cref="ExitCode"/>.
/// </summary>
public static class ProductionGuard
{
    /// <summary>EX_CONFIG from sysexits.h: a configuration error.</summary>
    public const int ExitCode = 78;

    public const string Section = "Production";

    private const int MinAdminKeyBytes = 32;

    /// <summary>
    /// Findings for this configuration; empty outside Production or when everything is safe or allowed.
    /// </summary>
    public static IReadOnlyList<string> Check(IConfiguration configuration, IHostEnvironment environment)
    {
        if (!environment.IsProduction())
        {
            return [];
        }

        var findings = new List<string>();
        void Refuse(string allowance, bool unsafeSetting, string what)
        {
            if (unsafeSetting && !Flag($"{Section}:{allowance}"))
            {
                findings.Add($"Refusing to start in Production: {what}. Fix it, or allow it explicitly with {Section}__{allowance}=true.");
            }
        }

        // A flag that is neither true nor false (an empty ${VAR} in compose) is a finding of its own, naming it, rather
        // than the binder's crash with a stack trace later.
        bool Flag(string key)
        {
            var value = configuration[key];
            if (value is null || bool.TryParse(value, out var flag) && !flag)
            {
                return false;
            }

            if (!bool.TryParse(value, out _))
            {
                findings.Add($"Refusing to start in Production: {key.Replace(":", "__", StringComparison.Ordinal)}='{value}' is neither true nor false.");
                return false;
            }

            return true;
        }

        var embeddedRedis = Flag("Redis:Embedded");
        var embeddedKafka = Flag("Kafka:Embedded");
        // Read as the configuration binder reads it (Enum.Parse: any case, surrounding spaces, a number), or " mysql"
        // would be taken for SQLite here while the app runs MySQL, and its connection string never checked (hostile
        // review, issue 21).
        var providerSetting = configuration["Database:Provider"];
        var provider = DatabaseProvider.Sqlite;
        var known = providerSetting is null || (Enum.TryParse(providerSetting, ignoreCase: true, out provider) && Enum.IsDefined(provider));
        if (!known)
        {
            findings.Add($"Refusing to start in Production: Database__Provider='{providerSetting}' is neither Sqlite nor MySql.");
        }

        var sqlite = known && provider == DatabaseProvider.Sqlite;
        Refuse("AllowEmbeddedRedis", embeddedRedis,
            "Redis__Embedded=true runs an in-process Garnet that loses the gate with the process (set Redis__Embedded=false and ConnectionStrings__redis)");
        Refuse("AllowEmbeddedKafka", embeddedKafka,
            "Kafka__Embedded=true runs an in-process mock broker that loses accepted requests with the process (set Kafka__Embedded=false and ConnectionStrings__kafka)");
        Refuse("AllowSqlite", sqlite,
            "Database__Provider is Sqlite, a local file (set Database__Provider=MySql and ConnectionStrings__coupons)");

        // Plaintext over the network, each client's default: anyone on the path reads (or changes) requests, coupons
        // and the credentials themselves, and broker ACLs have no principal to name. An embedded store is in the
        // process and SQLite a file: refused above as what they are, not also here.
        if (!embeddedKafka)
        {
            var value = configuration[$"{KafkaOptions.Section}:{nameof(KafkaOptions.SecurityProtocol)}"];
            var protocol = Confluent.Kafka.SecurityProtocol.Plaintext;
            if (string.IsNullOrEmpty(value) || Enum.TryParse(value, ignoreCase: true, out protocol) && Enum.IsDefined(protocol))
            {
                Refuse("AllowPlaintextKafka", !KafkaOptions.IsTls(protocol),
                    $"Kafka__SecurityProtocol is {protocol}{(string.IsNullOrEmpty(value) ? " (the default)" : "")}, without TLS: accepted requests{(KafkaOptions.IsSasl(protocol) ? " and the SASL password" : "")} " +
                    "cross the network readable (set Kafka__SecurityProtocol=SaslSsl, or Ssl; see Kafka__SaslMechanism and Kafka__SslCaLocation)");
            }
            else
            {
                findings.Add($"Refusing to start in Production: Kafka__SecurityProtocol='{value}' is not one of Plaintext, Ssl, SaslPlaintext, SaslSsl.");
            }
        }

        if (!embeddedRedis)
        {
            var ssl = configuration[$"{RedisOptions.Section}:{nameof(RedisOptions.Ssl)}"];
            var readable = ssl is null || bool.TryParse(ssl, out _);
            Refuse("AllowPlaintextRedis", !Flag($"{RedisOptions.Section}:{nameof(RedisOptions.Ssl)}") && readable
                    && !RedisOptions.ConfigurationSaysSsl(StoreAddress.Redis.Read(configuration) ?? new RedisOptions().Configuration),
                "Redis__Ssl is not true and ConnectionStrings__redis does not say ssl=true: the gate's commands and any Redis password cross the network readable (set Redis__Ssl=true)");
        }

        if (known && provider == DatabaseProvider.MySql)
        {
            var mode = DatabaseOptions.SslModeOf(StoreAddress.Database.Read(configuration));
            var said = mode switch
            {
                null => "cannot be read, so nothing in it requires TLS",
                MySqlSslMode.None => "has SslMode=None, plaintext",
                _ => $"has SslMode={mode} (MySqlConnector's default when none is given), which falls back to plaintext when TLS is not offered",
            };
            Refuse("AllowPlaintextMySql", !DatabaseOptions.EnforcesTls(mode),
                $"ConnectionStrings__coupons {said}: coupons, users and the database password cross the network readable (add SslMode=VerifyFull, VerifyCA or Required to it)");
        }

        Refuse("AllowDemoData", Flag("Seed:DemoData"),
            "Seed__DemoData=true seeds demo users and coupon 11 (set Seed__DemoData=false)");

        var adminKeys = AdminOptions.ConfiguredKeys(configuration).ToList();
        var published = adminKeys.Where(k => PublishedKeys.IsPublished(k.Key)).ToList();
        var tooShort = adminKeys.Where(k => !PublishedKeys.IsPublished(k.Key) && Encoding.UTF8.GetByteCount(k.Key) < MinAdminKeyBytes).ToList();
        Refuse("AllowDevAdminKey", published.Count > 0,
            $"an admin key ({string.Join(", ", published.Select(k => k.Setting))}) is a published key committed to the repository");
        Refuse("AllowShortAdminKey", tooShort.Count > 0,
            $"an admin key ({string.Join(", ", tooShort.Select(k => k.Setting))}) is shorter than {MinAdminKeyBytes} bytes");
        Refuse("AllowAnonymousClicks", Flag($"{UserAuthOptions.Section}:{nameof(UserAuthOptions.AllowAnonymous)}"),
            "Auth__AllowAnonymous=true lets anyone claim coupons for any publicId without a token");

        // By the bytes tokens are signed with: the auth code skips whitespace in a key, so a reformatted copy is the
        // same key.
        var devKey = UserAuthentication.TryKeyBytes(DevTokens.Key)!;
        Refuse("AllowDevSigningKey", configuration.GetSection($"{UserAuthOptions.Section}:{nameof(UserAuthOptions.SigningKeys)}").GetChildren()
                .Any(k => UserAuthentication.TryKeyBytes(k["Key"] ?? "") is { } bytes && bytes.AsSpan().SequenceEqual(devKey)),
            "an Auth__SigningKeys key is the published local-dev token key, so anyone can mint tokens");

        // The baseline issues coupons with no token, past the gate and the per-person limits: only a benchmark may want
        // it.
        Refuse("AllowDbLockBaseline", Flag(DbLockBaselineApi.Switch),
            "Bench__DbLockBaseline=true serves POST /bench/db-lock/{coupon}/{user}, which issues coupons without a token, gate or limits");
        return findings;
    }

    /// <summary>Prints the findings to stderr and returns true when the app must not start.</summary>
    public static bool Refuses(WebApplicationBuilder builder)
    {
        var findings = Check(builder.Configuration, builder.Environment);
        foreach (var finding in findings)
        {
            Console.Error.WriteLine(finding);
        }

        return findings.Count > 0;
    }
}
