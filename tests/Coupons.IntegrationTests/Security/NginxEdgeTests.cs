using System.Diagnostics;
using Coupons.IntegrationTests.Faults;

namespace Coupons.IntegrationTests.Security;

/// <summary>
/// The shipped <c>deploy/nginx.conf</c>, serving real traffic in front of the real app: only the upstream addresses and
/// the listen port are rewritten (compose's hostnames do not resolve here). What it must keep from the public: the
/// admin API, <c>/metrics</c>, bodies, floods; and its own refusals speak the API's problem details.
/// </summary>
[Trait("Category", "Security")]
[Collection(FaultCollection.Name)]
public sealed class NginxEdgeTests : IAsyncLifetime
{
    private AppProcess _app = null!;
    private Process _nginx = null!;
    private HttpClient _public = null!;
    private string _state = "";

    public async Task InitializeAsync()
    {
        // No admin listener: the app serves its admin API on the port nginx proxies, so only nginx keeps it private.
        _app = await AppProcess.StartAsync(FreeTcpPort.Find(), new Dictionary<string, string> { ["Edge:KnownProxies:0"] = "127.0.0.1" }, "behind-nginx");

        var port = FreeTcpPort.Find();
        _state = Path.Combine(StackControl.RepoRoot, ".test-infra", $"nginx-{port}");
        Directory.CreateDirectory(_state);
        var config = (await File.ReadAllTextAsync(Path.Combine(StackControl.RepoRoot, "deploy", "nginx.conf")))
            .Replace("ecommerce-app-1:8081", $"127.0.0.1:{_app.Port}", StringComparison.Ordinal)
            .Replace("ecommerce-app-2:8081", $"127.0.0.1:{_app.Port}", StringComparison.Ordinal)
            .Replace("listen 8081 ", $"listen 127.0.0.1:{port} ", StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{_app.Port}", config, StringComparison.Ordinal); // the shipped file still has what is rewritten
        var configPath = Path.Combine(_state, "nginx.conf");
        await File.WriteAllTextAsync(configPath, config);
        var start = new ProcessStartInfo(File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var arg in new[] { "-p", _state, "-c", configPath, "-e", Path.Combine(_state, "error.log"),
                     "-g", $"daemon off; pid {Path.Combine(_state, "nginx.pid")};" })
        {
            start.ArgumentList.Add(arg);
        }

        _nginx = Process.Start(start)!;
        _public = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            Timeout = TimeSpan.FromSeconds(30),
        };
        await Eventually.TrueAsync(async () =>
        {
            Assert.False(_nginx.HasExited, $"nginx exited: {await _nginx.StandardError.ReadToEndAsync()}");
            try
            {
                return (await _public.GetAsync("/health/live")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "nginx did not start proxying");
    }

    public async Task DisposeAsync()
    {
        if (!_nginx.HasExited)
        {
            _nginx.Kill();
            await _nginx.WaitForExitAsync();
        }

        _public.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task A_click_goes_through_and_the_admin_api_metrics_and_dev_endpoints_do_not()
    {
        var api = new ApiDriver(_public, _app.Admin);
        var couponId = await api.CreateOpenCouponAsync(3);
        var user = (await api.CreateUsersAsync(1)).Single();

        Assert.Equal(HttpStatusCode.Accepted, (await api.IssueAsync(couponId, user)).Status);
        Assert.Equal(HttpStatusCode.OK, (await _app.Admin.GetAsync("/api/admin/dead-letters")).StatusCode); // the app would answer
        using var withKey = new HttpRequestMessage(HttpMethod.Get, $"/api/admin/coupons/{couponId}/consistency");
        withKey.Headers.Add("X-Admin-Key", TestStack.AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await _app.Admin.GetAsync("/metrics")).StatusCode);
        // The app is not in dev mode, so it would answer /dev/token 404 itself: what proves nginx refused each path is
        // that the 404 is nginx's own page, while a path nginx passes on gets the app's 404 (the control).
        await AssertRefusedByNginxAsync(await _public.SendAsync(withKey));
        await AssertRefusedByNginxAsync(await _public.GetAsync("/metrics"));
        await AssertRefusedByNginxAsync(await _public.GetAsync("/actuator/info"));
        await AssertRefusedByNginxAsync(await _public.PostAsync($"/dev/token/{user}", null));
        using var passedOn = await _public.PostAsync("/no-such-route-of-the-app", null);
        Assert.Equal(HttpStatusCode.NotFound, passedOn.StatusCode);
        Assert.DoesNotContain("<center>nginx", await passedOn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task AssertRefusedByNginxAsync(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("<center>nginx", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_body_is_refused_by_nginx_with_the_apis_problem_details()
    {
        var answer = await _public.PostAsync("/api/coupons/1/issue-fcfs/someone", new ByteArrayContent(new byte[4096]));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        Assert.Equal("PAYLOAD_TOO_LARGE", (await answer.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("code").GetString());
    }

    /// <summary>
    /// nginx's limit_req (100 clicks/s, burst 200 per address) before the app's (out of the way here); its 429 is
    /// problem details with Retry-After. 1,000 clicks would have to take over 8 s to stay under it.
    /// </summary>
    [Fact]
    public async Task A_flood_from_one_address_is_limited_by_nginx_with_the_apis_problem_details()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 1000).Select(async i =>
        {
            using var response = await _public.PostAsync($"/api/coupons/999999999/issue-fcfs/flood-{i}", null);
            return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Headers.RetryAfter?.ToString(),
                response.StatusCode == HttpStatusCode.TooManyRequests ? await response.Content.ReadAsStringAsync() : "");
        }));

        var limited = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.All(limited, a =>
        {
            Assert.Equal("application/problem+json", a.MediaType);
            Assert.Contains("\"code\":\"RATE_LIMITED\"", a.Item4, StringComparison.Ordinal);
            Assert.NotNull(a.Item3);
        });
    }
}
