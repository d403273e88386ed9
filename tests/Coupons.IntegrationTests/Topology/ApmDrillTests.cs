using System.Diagnostics;
using System.Text.Json;
using Coupons.IntegrationTests.Faults;
using Microsoft.Playwright;

namespace Coupons.IntegrationTests.Topology;

/// <summary>
/// The APM as on-call sees it (the Aspire dashboard stands in for the guide's Pinpoint; design.md §6, scenario 6): one
/// click's trace, from the HTTP request through the gate and the publish to the consumer's database write, opened in a
/// real browser. Then the guide's scenario 6: the APM dies, and issuance does not notice.
/// </summary>
[Trait("Category", "Topology")]
[Collection(TopologyCollection.Name)]
public sealed class ApmDrillTests(TopologyFixture topology)
{
    private const int Burst = TopologyFixture.ClickBurst;

    private static readonly string[] ClickSpans = ["POST /api/coupons/{couponId}/issue-fcfs/{publicId}", "coupon.gate", "coupon.publish", "coupon.persist"];

    /// <summary>
    /// The same four as the dashboard shows them: it names a producer span by its messaging attributes.
    /// </summary>
    private static readonly string[] ShownSpans = ["POST /api/coupons/{couponId}/issue-fcfs/{publicId}", "coupon.gate", "kafka coupon.issue.requested", "coupon.persist"];

    [Fact]
    public async Task One_clicks_trace_is_seen_in_the_dashboard_and_killing_the_dashboard_leaves_issuance_alone()
    {
        await topology.WaitUntilServingAsync();
        var (couponId, user) = await topology.Api.OpenSaleForOneAsync(stock: 10);
        Assert.Equal(HttpStatusCode.Accepted, (await ApiDriver.IssueAsync(topology.Edge, couponId, user)).Status);
        var traceId = await Eventually.MatchesAsync(() => FindClickTraceAsync(couponId, user), id => id is not null, TimeSpan.FromSeconds(60),
            "the click's trace (request, gate, publish, database write) never reached the dashboard");

        var screenshot = Path.Combine(StackControl.RepoRoot, ".test-infra", "apm-trace.png");
        var shown = await ShowTraceAsync(traceId!, screenshot);
        Assert.All(ShownSpans, span => Assert.Contains(span, shown, StringComparison.Ordinal));

        // Scenario 6: the APM is killed. Same load before and after; issuance must not notice. 100 clicks at once from
        // one address, each with the address's allowance full (nginx's burst is 200, each replica's 100).
        var before = await ClickBurstAsync(Burst);
        var dashboard = topology.ProcessId("aspire-dashboard");
        using (var process = Process.GetProcessById(dashboard))
        {
            Assert.Contains("Aspire.Dashboard", process.MainModule?.FileName ?? process.ProcessName, StringComparison.Ordinal);
            process.Kill(); // SIGKILL
            await process.WaitForExitAsync();
        }

        var after = await ClickBurstAsync(Burst);
        await FaultOutcome.RecordAsync($"topology: APM (dashboard pid {dashboard}) killed: before accepted={before.Accepted}/{Burst} errors={before.Errors} " +
            $"p50={before.P50:F0}ms p99={before.P99:F0}ms; after accepted={after.Accepted}/{Burst} errors={after.Errors} p50={after.P50:F0}ms p99={after.P99:F0}ms; " +
            $"trace screenshot {Path.GetFileName(screenshot)}");
        Assert.Equal((Burst, 0), (after.Accepted, after.Errors));
    }

    /// <summary>The id of the click's trace once the dashboard holds all four of its spans.</summary>
    private async Task<string?> FindClickTraceAsync(long couponId, string user)
    {
        using var http = new HttpClient { BaseAddress = topology.Dashboard };
        using var response = await http.GetAsync("/api/telemetry/spans?limit=5000");
        Assert.True(response.IsSuccessStatusCode, $"dashboard API at {topology.Dashboard} ({topology.DashboardUrls}): {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var spans = json.RootElement.GetProperty("data").GetProperty("resourceSpans").EnumerateArray()
            .SelectMany(r => r.GetProperty("scopeSpans").EnumerateArray())
            .SelectMany(s => s.GetProperty("spans").EnumerateArray())
            .Select(s => (Trace: s.GetProperty("traceId").GetString()!, Name: s.GetProperty("name").GetString()!, Raw: s.GetRawText()))
            .ToList();
        var path = $"/api/coupons/{couponId}/issue-fcfs/{user}";
        var trace = spans.FirstOrDefault(s => s.Name == ClickSpans[0] && s.Raw.Contains(path, StringComparison.Ordinal)).Trace;
        return trace is not null && ClickSpans.All(name => spans.Any(s => s.Trace == trace && s.Name == name)) ? trace : null;
    }

    /// <summary>
    /// Opens the trace in the dashboard with Debian's chromium, saves a screenshot, returns the page's text.
    /// </summary>
    private async Task<string> ShowTraceAsync(string traceId, string screenshot)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 900 } });
        await page.GotoAsync(new Uri(topology.Dashboard, $"/traces/detail/{traceId}").ToString());
        await page.GetByText("coupon.persist").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        return await page.InnerTextAsync("body");
    }

    private async Task<(int Accepted, int Errors, double P50, double P99)> ClickBurstAsync(int users)
    {
        var (couponId, people) = await topology.Api.OpenSaleAsync(stock: users, people: users);
        await TopologyFixture.WaitForFullClickAllowanceAsync();
        var latencies = new List<double>();
        var answers = await Task.WhenAll(people.Select(async user =>
        {
            var clock = Stopwatch.StartNew();
            var answer = await ApiDriver.IssueAsync(topology.Edge, couponId, user);
            lock (latencies)
            {
                latencies.Add(clock.Elapsed.TotalMilliseconds);
            }

            return answer;
        }));
        await topology.Api.WaitForDrainAsync(couponId, TimeSpan.FromSeconds(60));
        var accepted = answers.Where(a => a.Status == HttpStatusCode.Accepted).Select(a => a.RequestId!.Value).ToList();
        await Invariants.AssertHoldAsync(couponId, accepted, topology.MySql);
        latencies.Sort();
        return (accepted.Count, answers.Length - accepted.Count, latencies[latencies.Count / 2], latencies[(int)(latencies.Count * 0.99)]);
    }
}
