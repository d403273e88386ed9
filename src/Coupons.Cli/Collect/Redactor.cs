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

    private readonly string[] _known;

    public Redactor(IEnumerable<string?> secrets) =>
        _known = [.. secrets.OfType<string>().Where(s => s.Length >= 4).Distinct().OrderByDescending(s => s.Length)];

    /// <summary>The secrets <c>collect</c> was handed, to be masked wherever they show up.</summary>
    public static Redactor For(CollectSources sources) =>
        new([sources.Targets.AdminKey, MySqlPassword(sources.MySql), RedisPassword(sources.Redis)]);

    public string Redact(string text)
    {
        // The app logs JSON, which writes ' + & < > and every non-ASCII letter as \uXXXX: read them as the characters
        // they are (a JSON string may hold them raw), so a quoted password or a known secret is seen in a log too.
        text = JsonEscape().Replace(text, Unescape);
        foreach (var secret in _known)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        text = UrlUserInfo().Replace(text, $"$1{Mask}@");
        text = IdentifiedBy().Replace(text, $"$1'{Mask}'");
        text = ReplacedPassword().Replace(text, $"$1'{Mask}'");
        text = PasswordFunction().Replace(text, $"$1'{Mask}')");
        text = SetPassword().Replace(text, $"$1'{Mask}'");
        text = SecretSetting().Replace(text, m => m.Groups[1].Value + MaskedAs(m.Groups["value"].Value, m.Groups[1].Value));
        text = Bearer().Replace(text, $"$1 {Mask}");
        text = Jwt().Replace(text, Mask);
        text = AdminKeyHeader().Replace(text, $"$1{Mask}");
        text = RedisAuth().Replace(text, $"$1 {Mask}");
        text = RedisConfigSecret().Replace(text, $"$1{Mask}");
        text = AclPassword().Replace(text, Mask);
        return Email().Replace(text, "<email>");
    }

    /// <summary>
    /// The mask in the value's own quotes, so JSON stays JSON: a JSON key's bare value (a number, true) becomes the
    /// string "***", and what followed it on the line (a comma, the next key) is kept.
    /// </summary>
    private static string MaskedAs(string value, string setting)
    {
        if (value.StartsWith("\\\"", StringComparison.Ordinal))
        {
            return $"\\\"{Mask}\\\"";
        }

        if (value.StartsWith('"') || value.StartsWith('\''))
        {
            return $"{value[0]}{Mask}{value[0]}";
        }

        if (!setting.TrimEnd().TrimEnd(':', '=').TrimEnd().EndsWith('"'))
        {
            return Mask;
        }

        var end = value.IndexOfAny([',', ' ', '\t']);
        return $"\"{Mask}\"" + (end < 0 ? "" : value[end..]);
    }

    /// <summary>
    /// One <c>\uXXXX</c> as its character, unless JSON needs it escaped (a quote, a backslash, a control character) or
    /// it is half of a pair.
    /// </summary>
    private static string Unescape(Match escape)
    {
        var c = (char)Convert.ToInt32(escape.Groups[1].Value, 16);
        return c < ' ' || c is '"' or '\\' || char.IsSurrogate(c) ? escape.Value : c.ToString();
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

    /// <summary>
    /// A quoted SQL or config value: single or double quotes, backslash escapes or doubled quotes, or cut off at the
    /// line's end (a query shown truncated).
    /// </summary>
    private const string Quoted = """('(?:[^'\\\r\n]|\\.|'')*(?:'|$)|"(?:[^"\\\r\n]|\\.|"")*(?:"|$))""";

    /// <summary>A value quoted with escaped quotes, as in JSON inside a JSON string (<c>\"…\"</c>).</summary>
    private const string EscapedQuoted = """\\"(?:(?!\\").)*(?:\\"|$)""";

    [GeneratedRegex(@"\\u([0-9A-Fa-f]{4})")]
    private static partial Regex JsonEscape();

    [GeneratedRegex(@"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s:@]*:[^\s@]*@")]
    private static partial Regex UrlUserInfo();

    [GeneratedRegex(@"(?im)(\bIDENTIFIED\b(?:\s+|/\*.*?\*/)+(?:(?:WITH|VIA)\s+\S+\s+)?(?:BY|AS|USING)\s+(?:PASSWORD\s*\(?\s*)?)" + Quoted)]
    private static partial Regex IdentifiedBy();

    /// <summary>MySQL's <c>ALTER USER … IDENTIFIED BY 'new' REPLACE 'old'</c>: the old password too.</summary>
    [GeneratedRegex(@"(?im)(\bIDENTIFIED\b.*?\bREPLACE\s+)" + Quoted)]
    private static partial Regex ReplacedPassword();

    [GeneratedRegex(@"(?im)(\b(?:OLD_)?PASSWORD\s*\(\s*)" + Quoted + @"\s*\)?")]
    private static partial Regex PasswordFunction();

    [GeneratedRegex(@"(?im)(\bSET\s+PASSWORD\b[^=;]*=\s*(?:PASSWORD\s*\(\s*)?)" + Quoted)]
    private static partial Regex SetPassword();

    /// <summary>
    /// A setting whose name ends in a secret's word, in any of the syntaxes a bundle meets: connection strings
    /// (<c>Pwd=…;</c>), environment and SQL (<c>MYSQL_ROOT_PASSWORD=…</c>, <c>MASTER_PASSWORD='…'</c>,
    /// <c>Admin__ApiKey=…</c>), JSON (<c>"newPassword":"…"</c>), YAML (<c>password: …</c>), query strings
    /// (<c>access_token=…</c>), Kafka's <c>sasl.password</c> and JAAS. The value is quoted, or runs to the next
    /// <c>;</c>, quote, bracket or line end: spaces and commas may be part of a password, so a little more than the
    /// secret may go.
    /// </summary>
    [GeneratedRegex(@"(?im)(?<![A-Za-z0-9])([A-Za-z0-9_.\-]*(?:password|passwd|pwd|secret|apikey|api_key|api-key|token)(?:\\?[""'])?\s*[:=]\s*)(?<value>" + EscapedQuoted + "|" + Quoted + @"|[^;""'}\]\r\n]+)")]
    private static partial Regex SecretSetting();

    // The whole credential up to the next space or quote, not only the token68 characters a well-formed one is made of:
    // a malformed token ("Bearer *gG-…", found by RedactorGeneratedTests) is still somebody's secret.
    [GeneratedRegex(@"(?i)\b(Bearer|Basic)(?:\s+|%20)[""']?[^\s""'&]+")]
    private static partial Regex Bearer();

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*")]
    private static partial Regex Jwt();

    [GeneratedRegex(@"(?i)(X-Admin-Key[""']?\s*[:=]\s*\[?\s*[""']?)[^\s""',;\]]+")]
    private static partial Regex AdminKeyHeader();

    /// <summary>
    /// AUTH, AUTH2 (MIGRATE) and HELLO's AUTH: the user and password after it, quoted as MONITOR shows them or not.
    /// </summary>
    [GeneratedRegex(@"(?i)(\bAUTH2?""?)\s+(?:""[^""]*""|[^\s""]+)(?:\s+(?:""[^""]*""|[^\s""]+))?")]
    private static partial Regex RedisAuth();

    [GeneratedRegex(@"(?i)(\b(?:requirepass|masterauth)""?\s+)(?:""[^""]*""|\S+)")]
    private static partial Regex RedisConfigSecret();

    /// <summary>ACL SETUSER's passwords (<c>&gt;pass</c>) and their hashes (<c>#hex</c>).</summary>
    [GeneratedRegex(@"(?i)(?<=\bSETUSER\b[^\r\n]*\s""?)[>#][^\s""]+")]
    private static partial Regex AclPassword();

    /// <summary>
    /// An address with a letter in its local part (a broker line's <c>1@kafka-1:9092</c> is not one), any script, or
    /// URL-encoded.
    /// </summary>
    [GeneratedRegex(@"(?<![\p{L}\p{N}._%+\-])[\p{L}\p{N}._%+\-]*\p{L}[\p{L}\p{N}._%+\-]*(?:@|%40)[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)*\.\p{L}{2,}")]
    private static partial Regex Email();
}
