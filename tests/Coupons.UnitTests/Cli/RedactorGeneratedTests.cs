using Coupons.Cli;
using Coupons.Cli.Collect;
using Coupons.Testing;
using CsCheck;

namespace Coupons.UnitTests.Cli;

/// <summary>
/// The redaction pass against generated secrets: each kind a bundle can meet, with a value made up per case, in a line
/// with made-up text around it (as a log, the processlist or a slowlog shows it). The planted cases in
/// <see cref="RedactorTests"/> each try one value; a value's own characters (dots, dashes, digits first, a trailing
/// '=') are what a hand-picked case never varies.
/// </summary>
public sealed class RedactorGeneratedTests
{
    /// <summary>What a secret may be made of here: what its context can carry without quoting or escaping.</summary>
    private const string SecretChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!#%^*+~";

    /// <summary>
    /// Text around a secret: log-ish words, separators and non-ASCII; none of the words or signs a secret's context
    /// begins with.
    /// </summary>
    private static readonly Gen<string> Noise = Gen.String[Gen.Char["abcXYZ 019\t(){}[]<>|:.,-_/#가나\u00e9"], 0, 40];

    private static readonly Gen<string> Secret = Gen.String[Gen.Char[SecretChars], 8, 40];

    /// <summary>Each kind of secret in its context; {0} is the secret.</summary>
    private static readonly string[] Contexts =
    [
        "curl -H 'X-Admin-Key: {0}' http://127.0.0.1:9081/api/admin/reconcile",
        "\"X-Admin-Key\": \"{0}\"",
        "ALTER USER 'app'@'%' IDENTIFIED BY '{0}'",
        "CREATE USER 'x'@'%' IDENTIFIED WITH mysql_native_password BY \"{0}\"",
        "SET PASSWORD FOR 'app'@'%' = PASSWORD('{0}')",
        "Server=db;Uid=app;Pwd={0};SslMode=Required",
        "Server=db;User ID=app;Password={0}",
        "{{\"user\":\"app\",\"newPassword\":\"{0}\"}}",
        "Authorization: Bearer {0}",
        "https://someone:{0}@registry.internal/",
        "#12 2026-12-06 10:00:00Z 12.000 ms AUTH {0}",
        "#12 2026-12-06 10:00:00Z 12.000 ms AUTH default {0}",
    ];

    private sealed record Case(string Before, string Context, string Secret, string After)
    {
        public string Line => Before + " " + string.Format(System.Globalization.CultureInfo.InvariantCulture, Context, Secret) + " " + After;

        public override string ToString() => Line;
    }

    [Fact]
    public void No_generated_secret_survives_in_its_context()
    {
        var cases = Gen.Select(Noise, Gen.OneOf<string>(Contexts), Secret, Noise, (before, context, secret, after) => new Case(before, context, secret, after));
        var redactor = new Redactor([]); // nothing handed over: each kind must be found by its context alone
        Fuzz.Check("couponctl collect redaction", cases, c =>
        {
            var redacted = redactor.Redact(c.Line);
            Assert.False(redacted.Contains(c.Secret, StringComparison.Ordinal), $"the secret survived: {redacted}");
            Assert.StartsWith(c.Before + " ", redacted, StringComparison.Ordinal); // what comes before a secret stays readable
        }, fixedSeed: "000redaction", cases: 3_000, print: c => c.Line);
    }

    [Fact]
    public void A_secret_collect_was_handed_is_masked_wherever_it_appears()
    {
        var cases = Gen.Select(Noise, Secret, Noise, (before, secret, after) => (Before: before, Secret: secret, After: after));
        Fuzz.Check("couponctl collect redaction of known secrets", cases, c =>
        {
            var redactor = Redactor.For(new CollectSources(new Targets(new Uri("http://127.0.0.1:8081"), new Uri("http://127.0.0.1:9081"), c.Secret, null),
                null, null, null, null, []));
            var redacted = redactor.Redact(c.Before + c.Secret + c.After);
            Assert.False(redacted.Contains(c.Secret, StringComparison.Ordinal), $"the admin key survived: {redacted}");
        }, fixedSeed: "00knownsecret", cases: 1_000, print: c => c.Before + c.Secret + c.After);
    }
}
