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
    };

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
