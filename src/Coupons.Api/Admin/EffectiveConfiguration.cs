using System.Text.RegularExpressions;
using Coupons.Infrastructure;

namespace Coupons.Admin;

/// <summary>
/// The settings this instance runs with (every configuration source merged), for the on-call's diagnostic bundle:
/// only the app's own sections (not the whole process environment), and every secret redacted — a value under a key
/// that names a password, secret, key or token, and the password or user-info inside a connection string or URL.
/// </summary>
public static partial class EffectiveConfiguration
{
    public const string Redacted = "***";

    private static readonly string[] Sections =
    [
        "Admin", "Auth", "Bench", "Database", "Edge", "Gate", "Issuance", "Kafka", "Outbox", "Pauses", "Production", "Reconciliation", "Redemption", "Redis", "Seed",
        "Logging", "Urls", "ASPNETCORE_ENVIRONMENT", "OTEL_SERVICE_NAME", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL",
    ];

    public static SortedDictionary<string, string> Read(IConfiguration configuration) =>
        new(configuration.AsEnumerable()
            .Where(setting => setting.Value is not null && IsOurs(setting.Key))
            .ToDictionary(setting => setting.Key, setting => Redact(setting.Key, setting.Value!)), StringComparer.OrdinalIgnoreCase);

    public static string Redact(string key, string value)
    {
        var name = key[(key.LastIndexOf(':') + 1)..];
        if (SecretName().IsMatch(name) && !NotASecret().IsMatch(name))
        {
            return Redacted;
        }

        // An unquoted value ends where its format ends one: at , in StackExchange.Redis's configuration, at ; elsewhere
        // (connection strings), never at the other, which each client reads as part of the password.
        var redis = key.Equals(StoreAddress.Redis.Key, StringComparison.OrdinalIgnoreCase) || key.Equals(StoreAddress.Redis.LegacyKey, StringComparison.OrdinalIgnoreCase);
        var pair = redis ? RedisPasswordPair() : PasswordPair();
        return UserInfo().Replace(pair.Replace(value, m => $"{m.Groups["name"].Value}={Redacted}"), $"://{Redacted}@");
    }

    // From ConnectionStrings only the stores' addresses: another connection string there (a platform's service bus, a
    // storage account) holds secrets in shapes the redaction does not know (a SharedAccessKey was shown whole).
    private static bool IsOurs(string key) =>
        Sections.Any(section => key.Equals(section, StringComparison.OrdinalIgnoreCase) || key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase))
        || StoreAddress.All.Any(store => key.Equals(store.Key, StringComparison.OrdinalIgnoreCase));

    [GeneratedRegex("password|passwd|pwd|secret|key|token|credential", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    // Names that hold a secret's name, size or file, not the secret: a key's id, a key prefix, a length, where a TLS
    // key is.
    [GeneratedRegex("(Id|Prefix|Length|Bytes|Header|Claim|Issuer|Location)$", RegexOptions.IgnoreCase)]
    private static partial Regex NotASecret();

    // A value holding ; or , is quoted, with the quote doubled inside (DbConnectionStringBuilder's rules): all of it is
    // the password, up to the closing quote or, when none comes, the end.
    [GeneratedRegex("""(?<name>password|pwd)\s*=\s*(?:"(?:[^"]|"")*(?:"|\z)|'(?:[^']|'')*(?:'|\z)|[^;]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordPair();

    [GeneratedRegex("""(?<name>password)\s*=\s*[^,]*""", RegexOptions.IgnoreCase)]
    private static partial Regex RedisPasswordPair();

    // Up to the last @ before the path: a password may hold an unencoded @.
    [GeneratedRegex("://[^/\\s]*@")]
    private static partial Regex UserInfo();
}
