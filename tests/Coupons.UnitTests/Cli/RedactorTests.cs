using System.IO.Compression;
using Coupons.Cli;
using Coupons.Cli.Collect;

namespace Coupons.UnitTests.Cli;

/// <summary>
/// Issue 27 item 7: each kind of secret planted where it could appear in a bundle, and the bundle's one redaction pass
/// over it. On main at f830887 nothing but the app's own config was redacted: log files were copied raw, another
/// session's SQL and Redis's slow commands verbatim, the manifest's URLs with their user-info.
/// </summary>
public sealed class RedactorTests
{
    private const string AdminKey = "planted-admin-key-0123456789";
    private static readonly Redactor Redactor = Redactor.For(new CollectSources(
        new Targets(new Uri("http://127.0.0.1:8081"), new Uri("http://127.0.0.1:9081"), AdminKey, null), null,
        "Server=db;User ID=couponctl;Password=planted-mysql-password", "127.0.0.1:6379,password=planted-redis-password", null, []));

    public static TheoryData<string, string> Planted => new()
    {
        { "the admin key in a log line", $"curl -H 'X-Admin-Key: {AdminKey}' http://127.0.0.1:9081/api/admin/reconcile" },
        { "the admin key alone", $"key was {AdminKey}." },
        { "the --mysql password elsewhere", "connected with planted-mysql-password as couponctl" },
        { "the --redis password elsewhere", "AUTH default planted-redis-password" },
        { "a DBA's ALTER USER in the processlist", "42\troot\tlocalhost\tNULL\tQuery\t0\tNULL\tALTER USER 'app'@'%' IDENTIFIED BY 'planted-dba-secret'" },
        { "CREATE USER … IDENTIFIED WITH … BY", "CREATE USER 'x'@'%' IDENTIFIED WITH mysql_native_password BY \"planted-dba-secret\"" },
        { "SET PASSWORD in InnoDB status", "MySQL thread id 9, query id 77 localhost root SET PASSWORD FOR 'app'@'%' = PASSWORD('planted-dba-secret')" },
        { "a connection string in a log", "Database:ConnectionString=Server=db;Uid=app;Pwd=planted-dba-secret;SslMode=Required" },
        { "a password JSON field", """{"user":"app","newPassword":"planted-dba-secret"}""" },
        { "a bearer token", "Authorization: Bearer planted.bearer-token_value" },
        { "a JWT alone", "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwbGFudGVkIn0.c2lnbmF0dXJlLXBsYW50ZWQ in a URL" },
        { "URL user-info", "Kafka:SchemaRegistry=https://planted-user:planted-url-password@registry.internal/" },
        { "Redis AUTH in a slowlog", "#12 2026-12-06 10:00:00Z 12.000 ms AUTH planted-redis-auth" },

        // A hostile review of the pass above (issue 27, second session): each of these went through it.
        { "a quoted connection-string password holding ';'", "Server=db;User ID=app;Password='planted;secret';SslMode=Required" },
        { "a double-quoted password setting", "Password=\"planted-secret\"" },
        { "Kafka's JAAS config", "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"planted-secret\";" },
        { "CHANGE MASTER in the processlist", "CHANGE MASTER TO MASTER_HOST='db2', MASTER_PASSWORD='planted-replication'" },
        { "an environment variable", "MYSQL_ROOT_PASSWORD=planted-secret" },
        { "the app's admin key as configuration", "Admin__ApiKey=planted-admin-config" },
        { "Kafka's SASL password as configuration", "Kafka__SaslPassword=planted-secret" },
        { "a pwd JSON field", """{"pwd":"planted-secret"}""" },
        { "an unquoted JSON password", """{"Password": 90210planted}""" },
        { "a YAML password", "password: planted-secret" },
        { "a password with spaces", "Password=my planted secret;" },
        { "a password with a comma", "Pwd=ab,planted;" },
        { "a password with an ampersand", "Pwd=ab&planted;" },
        { "a password beginning with the mask", "Password=***planted" },
        { "IDENTIFIED BY in a JSON log line", "ALTER USER 'app'@'%' IDENTIFIED BY \\u0027planted-secret\\u0027" },
        { "a quoted password with ';' in a JSON log line", "Password=\\u0027ab;planted\\u0027" },
        { "an escaped quote in a JSON password", """{"password":"ab\"planted"}""" },
        { "the admin key header as a JSON array", """{"X-Admin-Key":["planted-admin-array"]}""" },
        { "IDENTIFIED VIA … USING a hash", "CREATE USER 'x'@'%' IDENTIFIED VIA mysql_native_password USING '*6BB4837EB74329105EE4568DDA7DC67ED2CAplanted'" },
        { "a doubled quote in IDENTIFIED BY", "IDENTIFIED BY \"ab\"\"planted\"" },
        { "a comment inside IDENTIFIED BY", "ALTER USER 'app' IDENTIFIED /* rotate */ BY 'planted-secret'" },
        { "IDENTIFIED BY cut off before its closing quote", "ALTER USER 'app'@'%' IDENTIFIED BY 'planted-secr" },
        { "the old password of REPLACE", "ALTER USER 'app' IDENTIFIED BY 'n3w' REPLACE 'planted-old'" },
        { "URL user-info with no user", "redis://:planted-secret@10.0.0.7:6379/0" },
        { "URL user-info with a slash in the password", "https://user:ab/planted@10.0.0.7/" },
        { "MIGRATE's AUTH2", "MIGRATE 10.0.0.8 6379 \"\" 0 5000 KEYS a AUTH2 default planted-secret" },
        { "AUTH as MONITOR shows it", "1733490000.123456 [0 10.0.0.5:51234] \"AUTH\" \"default\" \"planted-secret\"" },
        { "HELLO's AUTH as MONITOR shows it", "1733490000.123456 [0 10.0.0.5:51234] \"HELLO\" \"3\" \"AUTH\" \"default\" \"planted-secret\"" },
        { "CONFIG SET requirepass", "CONFIG SET requirepass planted-secret" },
        { "CONFIG SET masterauth", "CONFIG SET masterauth planted-secret" },
        { "ACL SETUSER's password", "ACL SETUSER alice on >planted-secret ~* +@all" },
        { "AUTH with a quoted pass phrase", "AUTH default \"my planted phrase\"" },
        { "a quoted bearer token", "Authorization: Bearer \"planted-token\"" },
        { "a URL-encoded bearer token", "Authorization=Bearer%20planted-token" },
        { "an access token in a query string", "GET /callback?access_token=planted-token&state=1" },
    };

    public static TheoryData<string, string> PlantedEmails => new()
    {
        { "a Korean name", "주문자 김민수planted@shop.co.kr 님" },
        { "a URL-encoded address", "GET /unsubscribe?to=jane.planted%40shop.example" },
        { "a JSON-escaped plus", "jane\\u002Bplanted@shop.example" },
        { "a JSON-escaped Korean name", "\\uAE40\\uBBFC\\uC218planted@shop.co.kr" },
    };

    [Theory]
    [MemberData(nameof(PlantedEmails))]
    public void A_planted_address_becomes_the_placeholder(string where, string text)
    {
        var redacted = Redactor.Redact(text);
        Assert.DoesNotContain("planted", redacted, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<email>", redacted, StringComparison.Ordinal);
        Assert.True(redacted.Length > 0, where);
    }

    /// <summary>
    /// Clean clone G: the app's config (JSON) came out as <c>"Admin:ApiKey":***</c>, which no longer parsed.
    /// </summary>
    [Fact]
    public void A_JSON_document_stays_JSON_with_its_secrets_masked()
    {
        const string Json = """
            {"Admin:ApiKey":"planted-key","Database:ConnectionString":"Server=db;Password=planted;Uid=a","Auth:Token": 12345,
             "Nested":"{\"password\":\"planted\"}","Redis":"AUTH default planted","Kafka:SaslPassword":"planted;with\"quote"}
            """;
        var redacted = Redactor.Redact(Json);

        var parsed = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, System.Text.Json.JsonElement>>(redacted)!;
        Assert.DoesNotContain("planted", redacted, StringComparison.Ordinal);
        Assert.Equal("***", parsed["Admin:ApiKey"].GetString());
        Assert.Equal("***", parsed["Auth:Token"].GetString());
        Assert.Equal("Server=db;Password=***;Uid=a", parsed["Database:ConnectionString"].GetString());
    }

    [Fact]
    public void A_broker_line_is_not_an_email_address() =>
        Assert.Equal("brokers: 1@kafka-1.coupons.internal:9092, 2@kafka-2.coupons.internal:9092",
            Redactor.Redact("brokers: 1@kafka-1.coupons.internal:9092, 2@kafka-2.coupons.internal:9092"));

    [Fact]
    public void A_known_secret_is_found_in_a_JSON_log_line_where_its_plus_is_escaped()
    {
        var redactor = new Redactor(["abc+planted"]);
        Assert.DoesNotContain("planted", redactor.Redact("{\"Message\":\"key abc\\u002Bplanted\"}"), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Planted))]
    public void A_planted_secret_does_not_survive(string where, string text)
    {
        var redacted = Redactor.Redact(text);
        Assert.DoesNotContain("planted", redacted.Replace("<email>", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        Assert.True(redacted.Length > 0, where);
    }

    [Fact]
    public void Email_addresses_become_a_placeholder_and_the_rest_of_the_line_stays_readable()
    {
        var redacted = Redactor.Redact("user drill-abc-1 (Jane.Doe+coupons@shop.example.co.kr) clicked coupon 11: 409 SOLD_OUT");
        Assert.Equal("user drill-abc-1 (<email>) clicked coupon 11: 409 SOLD_OUT", redacted);
    }

    [Fact]
    public void What_is_not_a_secret_is_left_alone()
    {
        const string Metrics = "coupons_consumer_lag{partition=\"0\"} 12\nhttp_server_request_duration_seconds_count{http_route=\"/api/coupons/{couponId}/issue-fcfs/{publicId}\"} 60";
        Assert.Equal(Metrics, Redactor.Redact(Metrics));
    }

    [Fact]
    public async Task The_manifest_names_targets_without_their_user_info()
    {
        var path = Path.Combine(Path.GetTempPath(), $"redactor-{Guid.NewGuid():N}.zip");
        try
        {
            using (var bundle = new DiagnosticBundle(path, Redactor))
            {
                await bundle.AddTextAsync("logs/app.log", () => Task.FromResult($"started with key {AdminKey}"), "a log");
                await bundle.FinishAsync(new { app = new Uri("http://planted-user:planted-url-password@127.0.0.1:8081/") });
            }

            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries)
            {
                using var reader = new StreamReader(entry.Open());
                var text = await reader.ReadToEndAsync();
                Assert.DoesNotContain("planted", text.Replace("planted-admin", "", StringComparison.Ordinal), StringComparison.Ordinal);
                Assert.DoesNotContain(AdminKey, text, StringComparison.Ordinal);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_dump_left_by_a_killed_collect_is_deleted_and_a_running_ones_is_not()
    {
        var dir = Directory.CreateTempSubdirectory("couponctl-dumps-").FullName;
        try
        {
            var orphan = Path.Combine(dir, $"couponctl-{int.MaxValue - 7}-123-{Guid.NewGuid():N}.dmp"); // no such process
            var mine = Path.Combine(dir, $"couponctl-{Environment.ProcessId}-123-{Guid.NewGuid():N}.dmp");
            var other = Path.Combine(dir, "couponctl-notes.dmp");
            File.WriteAllText(orphan, "memory");
            File.WriteAllText(mine, "memory");
            File.WriteAllText(other, "not ours");

            Assert.Equal(1, ProcessSources.DeleteLeftDumps(dir));
            Assert.False(File.Exists(orphan));
            Assert.True(File.Exists(mine) && File.Exists(other));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
