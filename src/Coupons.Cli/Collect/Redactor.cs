using System.Text.RegularExpressions;
using MySqlConnector;
using StackExchange.Redis;

namespace Coupons.Cli.Collect;

/// <summary>
/// One redaction pass over every part of the bundle and its manifest, so that a bundle can be attached to a ticket:
/// the secrets couponctl was given (the admin key, the passwords in --mysql and --redis) wherever they appear, and the
/// kinds of secret other sessions leave in what the stores show (a DBA's <c>ALTER USER … IDENTIFIED BY</c> in the
/// processlist or InnoDB status, passwords in connection strings, bearer tokens and JWTs, admin-key headers, URL
/// user-info, Redis AUTH), and people's email addresses.
/// </summary>
public sealed partial class Redactor
{
    public const string Mask = "***";

    private readonly string[] known;

    public Redactor(IEnumerable<string?> secrets) =>
        known = [.. secrets.OfType<string>().Where(s => s.Length >= 4).Distinct().OrderByDescending(s => s.Length)];

    /// <summary>The secrets <c>collect</c> was handed, to be masked wherever they show up.</summary>
    public static Redactor For(CollectSources sources) =>
        new([sources.Targets.AdminKey, MySqlPassword(sources.MySql), RedisPassword(sources.Redis)]);

    public string Redact(string text)
    {
        foreach (var secret in known)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        text = UrlUserInfo().Replace(text, $"$1{Mask}@");
        text = IdentifiedBy().Replace(text, $"$1'{Mask}'");
        text = PasswordFunction().Replace(text, $"$1'{Mask}')");
        text = SetPassword().Replace(text, $"$1'{Mask}'");
        text = ConnectionStringPassword().Replace(text, $"$1={Mask}");
        text = SecretJsonField().Replace(text, $"$1\"{Mask}\"");
        text = Bearer().Replace(text, $"$1 {Mask}");
        text = Jwt().Replace(text, Mask);
        text = AdminKeyHeader().Replace(text, $"$1{Mask}");
        text = RedisAuth().Replace(text, $"$1 {Mask}");
        return Email().Replace(text, "<email>");
    }

    private static string? MySqlPassword(string? mysql)
    {
        try
        {
            return mysql is { Length: > 0 } ? new MySqlConnectionStringBuilder(mysql).Password : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static string? RedisPassword(string? redis)
    {
        try
        {
            return redis is { Length: > 0 } ? ConfigurationOptions.Parse(redis).Password : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private const string Quoted = """('(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*")""";

    [GeneratedRegex(@"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s:@]+(?::[^/\s@]*)?@")]
    private static partial Regex UrlUserInfo();

    [GeneratedRegex(@"(?i)(\bIDENTIFIED\s+(?:WITH\s+\S+\s+)?(?:BY|AS|USING)\s+(?:PASSWORD\s+)?)" + Quoted)]
    private static partial Regex IdentifiedBy();

    [GeneratedRegex(@"(?i)(\b(?:OLD_)?PASSWORD\s*\(\s*)" + Quoted + @"\s*\)")]
    private static partial Regex PasswordFunction();

    [GeneratedRegex(@"(?i)(\bSET\s+PASSWORD\b[^=;]*=\s*(?:PASSWORD\s*\(\s*)?)" + Quoted)]
    private static partial Regex SetPassword();

    [GeneratedRegex(@"(?i)\b(password|pwd|passwd|secret|apikey|api_key)\s*=\s*(?!\*\*\*)[^;'""\s&,]+")]
    private static partial Regex ConnectionStringPassword();

    [GeneratedRegex(@"(?i)(""[^""]*(?:password|passwd|secret|token|apikey|api_key)[^""]*""\s*:\s*)""(?!\*\*\*"")[^""]*""")]
    private static partial Regex SecretJsonField();

    // The whole credential up to the next space or quote, not only the token68 characters a well-formed one is made of:
    // a malformed token ("Bearer *gG-…", found by RedactorGeneratedTests) is still somebody's secret.
    [GeneratedRegex(@"(?i)\b(Bearer|Basic)\s+[^\s""']+")]
    private static partial Regex Bearer();

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*")]
    private static partial Regex Jwt();

    [GeneratedRegex(@"(?i)(X-Admin-Key[""']?\s*[:=]\s*[""']?)[^\s""',;]+")]
    private static partial Regex AdminKeyHeader();

    [GeneratedRegex(@"(?i)(\bAUTH)\s+\S+(?:\s+\S+)?")]
    private static partial Regex RedisAuth();

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")]
    private static partial Regex Email();
}
