using System.Text.Json;

namespace Coupons.IntegrationTests.Api;

/// <summary>Bad input gets a 4xx problem details body with a stable code, before any I/O, and never a 500.</summary>
[Trait("Category", "Api")]
[Collection(StackCollection.Name)]
public sealed class BadInputTests(StackFixture stack)
{
    [Theory]
    [InlineData("/api/coupons/abc/issue-fcfs/test-user", "INVALID_COUPON_ID")]
    [InlineData("/api/coupons/-1/issue-fcfs/test-user", "INVALID_COUPON_ID")]
    [InlineData("/api/coupons/0/issue-fcfs/test-user", "INVALID_COUPON_ID")]
    [InlineData("/api/coupons/99999999999999999999/issue-fcfs/test-user", "INVALID_COUPON_ID")]
    [InlineData("/api/coupons/11/issue-fcfs/bad%20user", "INVALID_PUBLIC_ID")]
    [InlineData("/api/coupons/11/issue-fcfs/user%3Bdrop", "INVALID_PUBLIC_ID")]
    [InlineData("/api/coupons/11/issue-fcfs/0123456789012345678901234567890123456", "INVALID_PUBLIC_ID")]
    public async Task Malformed_ids_are_400(string path, string code)
    {
        var response = await stack.Api.Client.PostAsync(path, null);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task An_unknown_coupon_is_404()
    {
        var user = (await stack.Api.CreateUsersAsync(1))[0];

        var response = await stack.Api.Client.PostAsync($"/api/coupons/{long.MaxValue}/issue-fcfs/{user}", null);

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "COUPON_NOT_FOUND");
    }

    [Fact]
    public async Task An_unknown_user_is_404()
    {
        var couponId = await stack.Api.CreateOpenCouponAsync(1);

        var ghost = $"nobody-{Guid.NewGuid():N}"[..30];

        var response = await stack.Api.Client.PostAsync($"/api/coupons/{couponId}/issue-fcfs/{ghost}", null);

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "USER_NOT_FOUND");
    }

    /// <summary>
    /// On a sale of its own, with its gate open: coupon 1 is another test's, and after a test restarts Redis its
    /// requests may be in flight where nothing sees them, which is 503 REQUEST_STATUS_UNKNOWN, not 404 (clean clone S).
    /// </summary>
    [Fact]
    public async Task A_request_that_does_not_exist_is_404()
    {
        var couponId = await stack.Api.CreateOpenCouponAsync(1);

        var response = await stack.Api.Client.GetAsync($"/api/coupons/{couponId}/issue-requests/01a212dc-e4f1-7517-ae43-b4ad71e461f0");

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "REQUEST_NOT_FOUND");
    }

    [Theory]
    [InlineData("/api/coupons/1/issue-requests/not-a-uuid", HttpStatusCode.BadRequest, "INVALID_REQUEST_ID")]
    [InlineData("/api/coupons/x/issue-requests/01a212dc-e4f1-7517-ae43-b4ad71e461f0", HttpStatusCode.BadRequest, "INVALID_COUPON_ID")]
    [InlineData("/api/coupons/user/bad%20user", HttpStatusCode.BadRequest, "INVALID_PUBLIC_ID")]
    [InlineData("/api/coupons/user/nobody-at-all-here", HttpStatusCode.NotFound, "USER_NOT_FOUND")]
    [InlineData("/api/coupons/user/nobody-at-all-here/available", HttpStatusCode.NotFound, "USER_NOT_FOUND")]
    public async Task Lookups_validate_their_ids(string path, HttpStatusCode status, string code)
    {
        var response = await stack.Api.Client.GetAsync(path);

        await AssertProblemAsync(response, status, code);
    }

    [Theory]
    [InlineData("GET", "/api/admin/coupons/11/consistency")]
    [InlineData("POST", "/api/admin/coupons/11/open")]
    [InlineData("POST", "/api/admin/coupons")]
    [InlineData("POST", "/api/admin/users")]
    public async Task Admin_endpoints_need_the_key(string method, string path)
    {
        using var missing = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) };
        using var wrong = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) };
        wrong.Headers.Add("X-Admin-Key", "wrong-key");

        await AssertProblemAsync(await stack.Api.Client.SendAsync(missing), HttpStatusCode.Unauthorized, "ADMIN_KEY_MISSING");
        await AssertProblemAsync(await stack.Api.Client.SendAsync(wrong), HttpStatusCode.Forbidden, "ADMIN_KEY_INVALID");
    }

    /// <summary>
    /// The key is checked before the body is read: garbage from a caller without a key is never parsed.
    /// </summary>
    [Theory]
    [InlineData("/api/admin/coupons")]
    [InlineData("/api/admin/users")]
    public async Task Admin_endpoints_refuse_a_caller_without_the_key_before_reading_the_body(string path)
    {
        var garbage = await stack.Api.Client.PostAsync(path, new StringContent("{not json", Encoding.UTF8, "application/json"));

        await AssertProblemAsync(garbage, HttpStatusCode.Unauthorized, "ADMIN_KEY_MISSING");
    }

    /// <summary>
    /// A 2.4 MB body announced and never sent (raw HTTP/1.1 on real Kestrel): an app that reads before it checks the
    /// key waits for the body; one that checks first answers 401 at once.
    /// </summary>
    [Fact]
    public async Task An_admin_call_without_the_key_is_answered_before_its_body_arrives()
    {
        await using var app = new CouponApiFactory();
        app.UseKestrel(0);
        app.StartServer();
        var address = app.CreateClient().BaseAddress!;
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "POST /api/admin/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2400000\r\n\r\n{\"users\":["));

        var response = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!response.ToString().Contains("\r\n0\r\n\r\n", StringComparison.Ordinal)) // the end of the chunked body
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            Assert.True(read > 0, "the connection closed before the answer was complete: " + response);
            response.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        Assert.StartsWith("HTTP/1.1 401", response.ToString(), StringComparison.Ordinal);
        Assert.Contains("ADMIN_KEY_MISSING", response.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"name\":\"x\"}")]
    [InlineData("{\"name\":\"x\",\"couponType\":\"FIXED\",\"totalQuantity\":-1,\"startDate\":\"2026-01-01T00:00:00Z\",\"endDate\":\"2026-02-01T00:00:00Z\"}")]
    [InlineData("{not json")]
    [InlineData("{\"totalQuantity\":\"many\"}")]
    public async Task Invalid_coupon_definitions_are_400(string body)
    {
        var response = await stack.Api.Admin.PostAsync("/api/admin/coupons", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "INVALID_REQUEST");
    }

    [Fact]
    public async Task Invalid_users_are_400_and_nothing_is_created()
    {
        var fine = $"fine-{Guid.NewGuid():N}"[..30];
        var response = await stack.Api.Admin.PostAsJsonAsync("/api/admin/users", new
        {
            users = new[] { new { publicId = fine, name = "Fine", email = $"{fine}@x.example" }, new { publicId = "bad id", name = "Bad", email = "bad@x.example" } },
        });

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "INVALID_REQUEST");
        await using var db = new MySqlConnector.MySqlConnection(TestStack.MySql);
        Assert.Equal(0L, await Dapper.SqlMapper.ExecuteScalarAsync<long>(db,
            "SELECT COUNT(*) FROM users WHERE public_id IN (@fine, 'bad id') OR email IN (@email, 'bad@x.example')", new { fine, email = $"{fine}@x.example" }));
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(code, json.RootElement.GetProperty("code").GetString());
        Assert.Equal((int)status, json.RootElement.GetProperty("status").GetInt32());
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
    }
}
