using System.Net.Sockets;
using Coupons.Admin;
using Coupons.IntegrationTests.Faults;

namespace Coupons.IntegrationTests.Security;

/// <summary>
/// The edge against hostile clients, on real Kestrel: spoofed client addresses, per-client limits, bodies too large,
/// slow clients, and the admin API's own listener, keys and rate limit.
/// </summary>
[Trait("Category", "Security")]
[Collection(FaultCollection.Name)] // real app processes in the shared consumer group
public sealed class EdgeTests(EdgeApps apps) : IClassFixture<EdgeApps>
{
    [Fact]
    public async Task A_forwarded_address_from_an_untrusted_source_is_ignored()
    {
        var api = new ApiDriver(apps.Direct.Client, apps.Direct.Admin);
        var (couponId, users) = await api.OpenSaleAsync(100, 20);

        // Each click claims another address; the app does not believe it, so all 20 count against 127.0.0.1 (3 a
        // second).
        var answers = await Task.WhenAll(users.Select((u, i) => ClickAsync(apps.Direct.Client, couponId, u, $"198.51.100.{i + 1}")));

        Assert.Contains(answers, a => a == (HttpStatusCode.TooManyRequests, "RATE_LIMITED"));
        using var spoofedAdmin = new HttpRequestMessage(HttpMethod.Get, $"/api/admin/coupons/{couponId}/consistency");
        spoofedAdmin.Headers.Add("X-Forwarded-For", "203.0.113.77");
        Assert.Equal(HttpStatusCode.OK, (await apps.Direct.Admin.SendAsync(spoofedAdmin)).StatusCode);
        var audit = await AuditEventuallyAsync(apps.Direct.Admin, couponId, rows => rows.Any(e => e.Action == "GET /api/admin/coupons/{couponId}/consistency"));
        Assert.Contains(audit, e => e.Action == "GET /api/admin/coupons/{couponId}/consistency" && e.Client == "127.0.0.1");
        Assert.DoesNotContain(audit, e => e.Client == "203.0.113.77");
    }

    [Fact]
    public async Task A_forwarded_address_from_a_trusted_proxy_is_the_client()
    {
        var api = new ApiDriver(apps.Proxied.Client, apps.ProxiedAdmin);
        var (couponId, users) = await api.OpenSaleAsync(100, 40);

        // 20 clients behind the proxy, one click each: nobody is over their 3 a second.
        var distinct = await Task.WhenAll(users.Take(20).Select((u, i) => ClickAsync(apps.Proxied.Client, couponId, u, $"192.0.2.{i + 1}")));
        // 20 clicks from one client behind the proxy: that client is over its limit.
        var oneClient = await Task.WhenAll(users.Skip(20).Select(u => ClickAsync(apps.Proxied.Client, couponId, u, "192.0.2.200")));

        Assert.All(distinct, a => Assert.Equal(HttpStatusCode.Accepted, a.Status));
        Assert.Contains(oneClient, a => a == (HttpStatusCode.TooManyRequests, "RATE_LIMITED"));
        using var forwardedAdmin = new HttpRequestMessage(HttpMethod.Get, $"/api/admin/coupons/{couponId}/consistency");
        forwardedAdmin.Headers.Add("X-Forwarded-For", "192.0.2.201");
        Assert.Equal(HttpStatusCode.OK, (await apps.ProxiedAdmin.SendAsync(forwardedAdmin)).StatusCode);
        await AuditEventuallyAsync(apps.ProxiedAdmin, couponId, rows => rows.Any(e => e.Client == "192.0.2.201"));
    }

    [Fact]
    public async Task The_admin_api_metrics_and_the_api_document_are_served_only_on_the_admin_listener_whatever_the_host_header()
    {
        using var viaPublic = AppProcess.ClientFor(apps.Proxied.Port);
        viaPublic.DefaultRequestHeaders.Add("X-Admin-Key", TestStack.AdminKey);
        using var spoofedHost = new HttpRequestMessage(HttpMethod.Get, "/api/admin/dead-letters");
        spoofedHost.Headers.Host = $"127.0.0.1:{apps.ProxiedAdminPort}";

        Assert.Equal(HttpStatusCode.NotFound, (await viaPublic.GetAsync("/api/admin/dead-letters")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viaPublic.SendAsync(spoofedHost)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viaPublic.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viaPublic.GetAsync("/openapi/v1.json")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viaPublic.GetAsync("/actuator/info")).StatusCode); // the build that runs: operators only
        Assert.Equal(HttpStatusCode.OK, (await apps.ProxiedAdmin.GetAsync("/actuator/info")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await apps.ProxiedAdmin.GetAsync("/api/admin/dead-letters")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await apps.ProxiedAdmin.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await apps.ProxiedAdmin.GetAsync("/openapi/v1.json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viaPublic.GetAsync("/api/coupons/issuable")).StatusCode);
    }

    [Fact]
    public async Task Several_admin_keys_and_an_admin_token_are_accepted_and_the_audit_names_which()
    {
        var couponId = await new ApiDriver(apps.Proxied.Client, apps.ProxiedAdmin).CreateOpenCouponAsync(3);
        using var rotated = EdgeApps.AdminClientFor(apps.ProxiedAdminPort, EdgeApps.RotatedKey);
        using var wrong = EdgeApps.AdminClientFor(apps.ProxiedAdminPort, EdgeApps.RotatedKey + "x");
        using var adminToken = TokenClient(TestTokens.For("oncall-kim", role: EdgeApps.AdminRole));
        using var userToken = TokenClient(TestTokens.For("oncall-lee"));
        var path = $"/api/admin/coupons/{couponId}/consistency";

        Assert.Equal(HttpStatusCode.OK, (await apps.ProxiedAdmin.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await rotated.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await adminToken.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await wrong.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await userToken.GetAsync(path)).StatusCode);

        // The refused calls never ran, so only the three that did are audited, each naming who made it.
        static IEnumerable<string> Actors(IReadOnlyList<AdminAuditEntry> rows) =>
            rows.Where(e => e.Action.EndsWith("/consistency", StringComparison.Ordinal)).Select(e => e.Actor).Order(StringComparer.Ordinal);
        var audit = await AuditEventuallyAsync(apps.ProxiedAdmin, couponId, rows => Actors(rows).Count() >= 3);
        Assert.Equal(["admin-key", EdgeApps.RotatedKeyId, "token:oncall-kim"], Actors(audit));
    }

    /// <summary>
    /// Every admin action, whatever its result, leaves a row: who, what, which coupon, from which client, the status,
    /// when.
    /// </summary>
    [Fact]
    public async Task Every_admin_action_is_audited()
    {
        var started = DateTime.UtcNow.AddSeconds(-5);
        var api = new ApiDriver(apps.ProxiedPublic, apps.ProxiedAdmin);
        var couponId = await api.CreateOpenCouponAsync(3, open: false);
        var user = $"audit-{Guid.NewGuid():N}"[..30];
        var calls = new (HttpMethod Method, string Path, HttpContent? Body)[]
        {
            (HttpMethod.Post, "/api/admin/users", JsonContent.Create(new CreateUsersRequest([new NewUserRequest(user, "Audit", $"{user}@test.example")]))),
            (HttpMethod.Post, $"/api/admin/coupons/{couponId}/open", null),
            (HttpMethod.Get, $"/api/admin/coupons/{couponId}/consistency", null),
            (HttpMethod.Post, $"/api/admin/coupons/{couponId}/reconcile", null),
            (HttpMethod.Post, $"/api/admin/coupons/{couponId}/rebuild-gate", null),
            (HttpMethod.Post, "/api/admin/consumer/pause", null),
            (HttpMethod.Post, "/api/admin/consumer/resume", null),
            (HttpMethod.Get, "/api/admin/dead-letters?max=1", null),
            (HttpMethod.Post, "/api/admin/dead-letters/0/999999999/replay", null),
            (HttpMethod.Post, "/api/admin/coupons/999999999/open", null),
            (HttpMethod.Get, $"/api/admin/audit?couponId={couponId}", null),
        };
        // Each call from an address of its own, unique to this run, so its row can be found by address.
        var network = $"10.{Random.Shared.Next(100, 250)}.{Random.Shared.Next(1, 250)}";
        var answered = new List<(string Client, int Status)>();
        for (var i = 0; i < calls.Length; i++)
        {
            using var request = new HttpRequestMessage(calls[i].Method, calls[i].Path) { Content = calls[i].Body };
            request.Headers.Add("X-Forwarded-For", $"{network}.{i + 1}");
            using var response = await apps.ProxiedAdmin.SendAsync(request);
            answered.Add(($"{network}.{i + 1}", (int)response.StatusCode));
        }

        // The row is written just after the answer; the last call's may still be on its way.
        var rows = new List<AdminAuditEntry>();
        foreach (var (client, _) in answered)
        {
            rows.Add(Assert.Single(await Eventually.MatchesAsync(
                async () => (await apps.ProxiedAdmin.GetFromJsonAsync<List<AdminAuditEntry>>($"/api/admin/audit?client={client}"))!,
                found => found.Count > 0, TimeSpan.FromSeconds(10), $"no audit row for the call from {client}")));
        }

        var created = Assert.Single(await AuditEventuallyAsync(apps.ProxiedAdmin, couponId, rows => rows.Any(r => r.Action == "POST /api/admin/coupons")),
            r => r.Action == "POST /api/admin/coupons");
        Assert.Equal(201, created.Status);
        for (var i = 0; i < calls.Length; i++)
        {
            Assert.Equal("admin-key", rows[i].Actor);
            Assert.Equal(answered[i].Status, rows[i].Status);
            Assert.StartsWith($"{calls[i].Method} /api/admin/", rows[i].Action, StringComparison.Ordinal);
            Assert.InRange(rows[i].At, started, DateTime.UtcNow.AddSeconds(5));
        }

        Assert.Equal("POST /api/admin/coupons/{couponId}/open", rows[1].Action);
        Assert.Equal(couponId, rows[1].CouponId);
        Assert.Equal((404, (long?)999999999), (rows[9].Status, rows[9].CouponId));
        Assert.Null(rows[0].CouponId);
    }

    [Fact]
    public async Task Admin_calls_are_limited_per_client_before_the_key_is_checked()
    {
        using var guesser = AppProcess.ClientFor(apps.ProxiedAdminPort);
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            using var guess = new HttpRequestMessage(HttpMethod.Get, "/api/admin/dead-letters");
            guess.Headers.Add("X-Admin-Key", $"guess-{i}");
            guess.Headers.Add("X-Forwarded-For", "198.18.0.66");
            return (await guesser.SendAsync(guess)).StatusCode;
        }));

        Assert.Contains(HttpStatusCode.TooManyRequests, answers);
        Assert.All(answers, a => Assert.True(a is HttpStatusCode.TooManyRequests or HttpStatusCode.Forbidden, $"{a}"));
    }

    [Fact]
    public async Task A_public_body_larger_than_the_endpoint_takes_is_refused_with_413()
    {
        // Each call from a client of its own (behind the trusted proxy), so no per-client limit stands in the way.
        var api = new ApiDriver(apps.ProxiedPublic, apps.ProxiedAdmin);
        var couponId = await api.CreateOpenCouponAsync(5);
        var user = (await api.CreateUsersAsync(1)).Single();
        var click = $"/api/coupons/{couponId}/issue-fcfs/{user}";

        var sized = await apps.ProxiedPublic.PostAsync(click, new ByteArrayContent(new byte[64 * 1024]));
        using var chunked = new HttpRequestMessage(HttpMethod.Post, click) { Content = new StreamContent(new MemoryStream(new byte[10])) };
        chunked.Headers.TransferEncodingChunked = true;
        var chunkedAnswer = await apps.ProxiedPublic.SendAsync(chunked);
        var adminTooLarge = await apps.ProxiedAdmin.PostAsync("/api/admin/coupons", new StringContent(new string(' ', 128 * 1024), Encoding.UTF8, "application/json"));

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE"), (sized.StatusCode, await CodeAsync(sized)));
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE"), (chunkedAnswer.StatusCode, await CodeAsync(chunkedAnswer)));
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE"), (adminTooLarge.StatusCode, await CodeAsync(adminTooLarge)));
        Assert.Equal((long?)5, (await api.ConsistencyAsync(couponId)).Redis.RemainingStock); // nothing was taken
    }

    /// <summary>
    /// Slowloris: headers that never finish. Kestrel closes the connection once Edge:RequestHeadersTimeout (2 s here)
    /// passes.
    /// </summary>
    [Fact]
    public async Task A_client_that_never_finishes_its_headers_is_cut_off()
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, apps.Direct.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("POST /api/coupons/1/issue-fcfs/slow-user HTTP/1.1\r\nHost: localhost\r\nX-Slow: "));

        var answer = await ReadUntilClosedAsync(stream, TimeSpan.FromSeconds(60));

        Assert.True(answer.Closed, "the server kept a connection whose headers never finished for 60 s");
        Assert.True(answer.Text.Length == 0 || answer.Text.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), answer.Text);
    }

    /// <summary>
    /// A body trickled far below Edge:MinRequestBodyBytesPerSecond (240 B/s after a 5 s grace) is cut off.
    /// </summary>
    [Fact]
    public async Task A_client_that_sends_its_body_too_slowly_is_cut_off()
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, apps.Direct.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /api/admin/users HTTP/1.1\r\nHost: localhost\r\nX-Admin-Key: {TestStack.AdminKey}\r\nContent-Type: application/json\r\nContent-Length: 50000\r\n\r\n{{\"users\":["));

        var answer = await ReadUntilClosedAsync(stream, TimeSpan.FromSeconds(60), trickle: true);

        Assert.True(answer.Closed, "the server kept reading a body sent at one byte a second for 60 s");
    }

    private static async Task<(bool Closed, string Text)> ReadUntilClosedAsync(NetworkStream stream, TimeSpan cap, bool trickle = false)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(cap);
        try
        {
            while (true)
            {
                var read = stream.ReadAsync(buffer, deadline.Token).AsTask();
                while (trickle && !read.IsCompleted)
                {
                    await stream.WriteAsync(" "u8.ToArray(), deadline.Token); // one byte a second
                    await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(1), deadline.Token));
                }

                var n = await read;
                if (n == 0)
                {
                    return (true, received.ToString());
                }

                received.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
        }
        catch (IOException)
        {
            return (true, received.ToString()); // reset by the server: cut off
        }
        catch (OperationCanceledException)
        {
            return (false, received.ToString());
        }
    }

    private static async Task<(HttpStatusCode Status, string? Code)> ClickAsync(HttpClient client, long couponId, string user, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/coupons/{couponId}/issue-fcfs/{user}");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await CodeAsync(response));
    }

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType == "application/problem+json"
            ? (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("code").GetString()
            : null;

    /// <summary>
    /// A coupon's audit rows once <paramref name="ready"/> holds: a row is written just after its call is answered.
    /// </summary>
    private static Task<IReadOnlyList<AdminAuditEntry>> AuditEventuallyAsync(HttpClient admin, long couponId, Func<IReadOnlyList<AdminAuditEntry>, bool> ready) =>
        Eventually.MatchesAsync<IReadOnlyList<AdminAuditEntry>>(
            async () => (await admin.GetFromJsonAsync<List<AdminAuditEntry>>($"/api/admin/audit?couponId={couponId}"))!,
            ready, TimeSpan.FromSeconds(10), $"the audit rows of coupon {couponId} did not appear");

    private HttpClient TokenClient(string token) => AppProcess.ClientFor(apps.ProxiedAdminPort).WithToken(token);
}
