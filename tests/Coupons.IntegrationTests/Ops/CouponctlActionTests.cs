using System.Globalization;
using System.Net;
using System.Text.Json;
using Coupons.Cli;
using Coupons.Cli.Actions;
using Coupons.Client;
using Coupons.Contracts;
using Coupons.IntegrationTests.Faults;
using Spectre.Console;

namespace Coupons.IntegrationTests.Ops;

/// <summary>
/// couponctl's operator actions against a real app process: nothing happens unless the operator says yes (or --yes),
/// and what happens is in the admin audit.
/// </summary>
[Trait("Category", "Ops")]
[Collection(FaultCollection.Name)]
public sealed class CouponctlActionTests
{
    [Fact]
    public async Task An_action_asks_first_does_nothing_when_declined_and_is_audited_when_done()
    {
        await using var stack = await PrivateStack.CreateAsync();
        await using var app = await AppProcess.StartAsync(FreeTcpPort.Find(), stack.AppSettings, "couponctl-actions");
        var target = $"http://127.0.0.1:{app.Port}";
        var admin = new CouponsAdminClient(app.Admin);
        var couponId = await new ApiDriver(app.Client, app.Admin).CreateOpenCouponAsync(10);
        string[] pause = ["consumer", "pause", "--url", target, "--admin-key", TestStack.AdminKey];

        var (declined, declinedScreen, question) = await RunAsync(pause, answer: false);
        Assert.Equal(ExitCodes.Declined, declined);
        Assert.Contains("Pause the consumer", question, StringComparison.Ordinal);
        Assert.Contains("not done", declinedScreen, StringComparison.Ordinal);
        Assert.DoesNotContain(await admin.AuditAsync(), e => e.Action.Contains("consumer/pause", StringComparison.Ordinal));

        var (noTerminal, _, _) = await RunAsync(pause, answer: null);
        Assert.Equal(ExitCodes.Declined, noTerminal);

        // Issue 22: for scripts, one JSON document on stdout and nothing else; json asks nobody, so no --yes is a no.
        var (jsonDeclined, declinedJson) = await RunJsonAsync([.. pause, "--output", "json"]);
        Assert.Equal(ExitCodes.Declined, jsonDeclined);
        Assert.Equal(("consumer pause", "declined", ExitCodes.Declined), (declinedJson.GetProperty("command").GetString(),
            declinedJson.GetProperty("outcome").GetString(), declinedJson.GetProperty("exitCode").GetInt32()));
        Assert.Equal(JsonValueKind.Null, declinedJson.GetProperty("answer").ValueKind);
        var (statusCode, statusJson) = await RunJsonAsync(["status", "--url", target, "--admin-key", TestStack.AdminKey, "-o", "json"]);
        Assert.Equal(("status", statusCode), (statusJson.GetProperty("command").GetString(), statusJson.GetProperty("exitCode").GetInt32()));
        Assert.Equal($"{target}/", statusJson.GetProperty("replicas")[0].GetProperty("url").GetString());
        var (listed, lettersJson) = await RunJsonAsync(["dlq", "list", "--url", target, "--admin-key", TestStack.AdminKey, "-o", "json"]);
        Assert.Equal((ExitCodes.Ok, JsonValueKind.Array), (listed, lettersJson.GetProperty("deadLetters").ValueKind));

        var (paused, pausedScreen, _) = await RunAsync(pause, answer: true);
        Assert.True(paused == 0, pausedScreen);
        Assert.Contains("\"Paused\": true", pausedScreen, StringComparison.Ordinal);
        var (resumed, resumedJson) = await RunJsonAsync(["consumer", "resume", "--url", target, "--admin-key", TestStack.AdminKey, "--yes", "-o", "json"]);
        Assert.Equal((ExitCodes.Ok, "done", 200), (resumed, resumedJson.GetProperty("outcome").GetString(), resumedJson.GetProperty("httpStatus").GetInt32()));
        Assert.False(resumedJson.GetProperty("answer").GetProperty("paused").GetBoolean());
        var (rebuilt, rebuiltScreen, rebuildQuestion) = await RunAsync(["gate", "rebuild", couponId.ToString(), "--url", target, "--admin-key", TestStack.AdminKey], answer: true);
        Assert.True(rebuilt == 0, rebuiltScreen);
        // Issue 27 item 8: the prompt names the coupon and where it stands, and the action says what it did.
        Assert.Matches($@"coupon {couponId} "".+"" \(on sale until .+; 10 of 10 left in its gate, 0 issued, 0 in flight, 0 parked\)", rebuildQuestion);
        Assert.Contains($"done: the gate of coupon {couponId} rebuilt from the database: 10 units left", rebuiltScreen, StringComparison.Ordinal);

        // A rebuild that is still waiting for the pipeline is not done: exit 4, and it says so (issue 27 item 8; on
        // main at f830887 it exited 0). The consumer is paused so that an accepted click stays on its way.
        Assert.Equal(0, (await RunAsync(pause, answer: true)).Code);
        Assert.Equal(HttpStatusCode.Accepted, (await new ApiDriver(app.Client, app.Admin).IssueAsync(couponId, await CreateUserAsync(admin))).Status);
        var (waiting, waitingScreen, _) = await RunAsync(["gate", "rebuild", couponId.ToString(), "--url", target, "--admin-key", TestStack.AdminKey, "--yes"], answer: null);
        Assert.True(waiting == ExitCodes.NotFinished, waitingScreen);
        Assert.Contains("not done yet", waitingScreen, StringComparison.Ordinal);
        Assert.Equal(0, (await RunAsync(["consumer", "resume", "--url", target, "--admin-key", TestStack.AdminKey, "--yes"], answer: null)).Code);

        // A replay names its dead letter in the audit (here one that does not exist: refused, and still recorded).
        var (replayed, replayedScreen, _) = await RunAsync(["dlq", "replay", "0", "987654", "--url", target, "--admin-key", TestStack.AdminKey, "--yes"], answer: null);
        Assert.True(replayed == ExitCodes.Refused, replayedScreen);

        // The audit row is written once the answer has gone: read until it is there.
        var audit = await Eventually.MatchesAsync(() => admin.AuditAsync(), rows => rows.Any(e => e.Action.Contains("replay", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "the replay never reached the audit");
        Assert.Contains(audit, e => e.Action == "POST /api/admin/dead-letters/{partition}/{offset}/replay partition=0 offset=987654" && e.Status == 404);
        Assert.Contains(audit, e => e.Action == "POST /api/admin/consumer/pause" && e.Status == 200);
        Assert.Contains(audit, e => e.Action == "POST /api/admin/consumer/resume" && e.Status == 200);
        Assert.Contains(audit, e => e.Action == "POST /api/admin/coupons/{couponId}/rebuild-gate" && e.CouponId == couponId);
    }

    /// <summary>
    /// Issue 23: the kill switch from couponctl against a real app process: a pause stops the sale's clicks and shows
    /// in status and the campaign, a resume under the global switch is not finished (4), and both are in the audit.
    /// </summary>
    [Fact]
    public async Task Campaign_pause_and_resume_stop_and_restart_a_sale_and_status_lists_every_pause()
    {
        await using var stack = await PrivateStack.CreateAsync();
        await using var app = await AppProcess.StartAsync(FreeTcpPort.Find(), stack.AppSettings, "couponctl-pauses");
        var target = $"http://127.0.0.1:{app.Port}";
        string[] at = ["--url", target, "--admin-key", TestStack.AdminKey];
        var driver = new ApiDriver(app.Client, app.Admin);
        var (couponId, people) = await driver.OpenSaleAsync(stock: 10, people: 2);

        Assert.Equal(ExitCodes.Usage, (await RunAsync(["campaign", "pause", .. at, "--yes"], answer: null)).Code);             // neither
        Assert.Equal(ExitCodes.Usage, (await RunAsync(["campaign", "pause", $"{couponId}", "--all", .. at, "--yes"], answer: null)).Code); // both
        var (declined, _, question) = await RunAsync(["campaign", "pause", $"{couponId}", .. at], answer: false);
        Assert.Equal(ExitCodes.Declined, declined);
        Assert.Matches($@"Pause the sale of coupon {couponId} "".+"" \(on sale until ", question);
        Assert.Equal(HttpStatusCode.Accepted, (await driver.IssueAsync(couponId, people[0])).Status); // declined: still on sale

        var (paused, pausedScreen, _) = await RunAsync(["campaign", "pause", $"{couponId}", "--reason", "redis timeouts, INC-7", .. at, "--yes"], answer: null);
        Assert.True(paused == ExitCodes.Ok, pausedScreen);
        Assert.Contains($"done: the sale of coupon {couponId} is paused", pausedScreen, StringComparison.Ordinal);
        Assert.Equal("SALE_PAUSED", (await driver.IssueAsync(couponId, people[1])).Code);

        var (statusCode, status) = await RunJsonAsync(["status", .. at, "-o", "json"]);
        Assert.Equal(13, statusCode); // P3: one sale paused, nothing else wrong
        Assert.Equal((couponId, "redis timeouts, INC-7"), (status.GetProperty("sales").GetProperty("paused")[0].GetProperty("couponId").GetInt64(),
            status.GetProperty("sales").GetProperty("paused")[0].GetProperty("reason").GetString()));
        Assert.Equal("docs/runbooks/CouponsSalePaused.md", status.GetProperty("runbook").GetString());
        var (_, shown) = await RunJsonAsync(["campaign", "show", $"{couponId}", .. at, "-o", "json"]);
        Assert.Equal(CampaignStates.Paused, shown.GetProperty("campaign").GetProperty("state").GetString());
        var (_, shownScreen, _) = await RunAsync(["campaign", "show", $"{couponId}", .. at], answer: null);
        Assert.Matches(@"paused since .+ UTC by .+: redis timeouts, INC-7", shownScreen); // hostile review: only json said so

        Assert.Equal(ExitCodes.Ok, (await RunAsync(["campaign", "pause", "--all", .. at, "--yes"], answer: null)).Code);
        var (underGlobal, underGlobalScreen, _) = await RunAsync(["campaign", "resume", $"{couponId}", .. at, "--yes"], answer: null);
        Assert.True(underGlobal == ExitCodes.NotFinished, underGlobalScreen);
        Assert.Contains("every sale is still paused", underGlobalScreen, StringComparison.Ordinal);
        Assert.Equal(12, (await RunJsonAsync(["status", .. at, "-o", "json"])).Code); // P2: every sale paused
        var (resumedAll, resumedJson) = await RunJsonAsync(["campaign", "resume", "--all", .. at, "--yes", "-o", "json"]);
        Assert.Equal((ExitCodes.Ok, true, false), (resumedAll, resumedJson.GetProperty("answer").GetProperty("changed").GetBoolean(),
            resumedJson.GetProperty("answer").GetProperty("clicksRefused").GetBoolean()));

        Assert.Equal(HttpStatusCode.Accepted, (await driver.IssueAsync(couponId, people[1])).Status);
        Assert.Equal(0, (await RunJsonAsync(["status", .. at, "-o", "json"])).Code);

        // The window: a running sale's end moves, its start does not (refused, 3), and one of the two must be given.
        var end = DateTimeOffset.UtcNow.AddHours(3).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var (moved, movedJson) = await RunJsonAsync(["campaign", "window", $"{couponId}", "--end", end, .. at, "--yes", "-o", "json"]);
        Assert.Equal((ExitCodes.Ok, end), (moved, movedJson.GetProperty("answer").GetProperty("campaign").GetProperty("endDate").GetDateTimeOffset()
            .ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)));
        Assert.Equal(ExitCodes.Refused, (await RunAsync(["campaign", "window", $"{couponId}", "--start", "2020-01-01T00:00:00Z", .. at, "--yes"], answer: null)).Code);
        Assert.Equal(ExitCodes.Usage, (await RunAsync(["campaign", "window", $"{couponId}", .. at, "--yes"], answer: null)).Code);
        var audit = await Eventually.MatchesAsync(() => new CouponsAdminClient(app.Admin).AuditAsync(),
            rows => rows.Any(e => e.Action.StartsWith("POST /api/admin/sales/resume lifted the pause of ", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "the resume never reached the audit");
        Assert.Contains(audit, e => e.Action == "POST /api/admin/campaigns/{couponId}/pause reason=redis timeouts, INC-7" && e.CouponId == couponId && e.Status == 200);
        Assert.Contains(audit, e => e.Action == "POST /api/admin/sales/pause reason=" && e.Status == 200);
    }

    private static async Task<string> CreateUserAsync(CouponsAdminClient admin)
    {
        var user = $"action-{Guid.NewGuid():N}"[..20];
        await admin.CreateUsersAsync([new NewUserRequest(user, "Action user", $"{user}@test.example")]);
        return user;
    }

    /// <summary>couponctl with --output json: its exit code and its standard output, which must be one JSON
    /// document.</summary>
    private static async Task<(int Code, JsonElement Json)> RunJsonAsync(string[] args)
    {
        using var stdout = new StringWriter();
        var code = await Couponctl.InvokeAsync(args, AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) }),
            _ => throw new InvalidOperationException("json mode asks nobody"), new System.CommandLine.InvocationConfiguration { Output = stdout });
        using var document = JsonDocument.Parse(stdout.ToString()); // throws unless the whole of stdout is one JSON document
        return (code, document.RootElement.Clone());
    }

    private static async Task<(int Code, string Screen, string Question)> RunAsync(string[] args, bool? answer)
    {
        using var screen = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(screen) });
        console.Profile.Width = 240;
        var question = "";
        var code = await Couponctl.InvokeAsync(args, console, q => { question = q; return answer; });
        return (code, screen.ToString(), question);
    }
}
