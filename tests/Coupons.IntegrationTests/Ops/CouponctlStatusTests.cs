using Coupons.Cli;
using Coupons.Cli.Status;
using Coupons.IntegrationTests.Faults;
using Spectre.Console;

namespace Coupons.IntegrationTests.Ops;

/// <summary>
/// <c>couponctl status</c> against a real app on the test stack: OK while everything is up, P0 naming the MySQL runbook
/// once MariaDB stops. The app gets a database, topics and a consumer group of its own, so what other tests left
/// behind (dead letters, open coupons) does not colour its verdict.
/// </summary>
[Trait("Category", "Ops")]
[Collection(FaultCollection.Name)]
public sealed class CouponctlStatusTests
{
    [Fact]
    public async Task Status_goes_from_ok_to_p0_when_mariadb_stops_and_names_the_mysql_runbook()
    {
        await using var stack = await PrivateStack.CreateAsync();
        await using var app = await AppProcess.StartAsync(FreeTcpPort.Find(), stack.AppSettings, "couponctl");
        var targets = new Targets(new Uri($"http://127.0.0.1:{app.Port}"), new Uri($"http://127.0.0.1:{app.Port}"), TestStack.AdminKey, null);

        // An app that has just started may not export its lag yet: status says so (not OK) until it does.
        var (okCode, okScreen) = await Eventually.MatchesAsync(() => StatusAsync(targets), s => s.Code == 0, TimeSpan.FromSeconds(30),
            "status never said OK for a healthy app");
        Assert.StartsWith("OK  nothing found in what was read", okScreen, StringComparison.Ordinal);
        Assert.Contains("not looked at: replicas not given with --url (1 given)", okScreen, StringComparison.Ordinal);

        await StackControl.StopMySqlAsync();
        try
        {
            var (code, screen) = await Eventually.MatchesAsync(() => StatusAsync(targets), s => s.Code == 10, TimeSpan.FromSeconds(60),
                "status never said P0 while MariaDB was stopped");
            Assert.Contains("P0", screen, StringComparison.Ordinal);
            Assert.Contains("docs/runbooks/CouponsMySQLDown.md", screen, StringComparison.Ordinal);
            Assert.Contains("db is DOWN", screen, StringComparison.Ordinal);
        }
        finally
        {
            await StackControl.StartMySqlAsync();
        }
    }

    /// <summary>
    /// Issue 27 item 1. On main at f830887 each of these printed "OK  nothing found" and exited 0 while its own tables
    /// said "metrics: unreadable: connection refused" and "dead letters: admin API unreadable".
    /// </summary>
    [Fact]
    public async Task Status_never_says_ok_about_what_it_could_not_read()
    {
        await using var stack = await PrivateStack.CreateAsync();
        await using var app = await AppProcess.StartAsync(FreeTcpPort.Find(), stack.AppSettings, "couponctl-blind");
        var url = new Uri($"http://127.0.0.1:{app.Port}");
        var nobody = new Uri($"http://127.0.0.1:{FreeTcpPort.Find()}");

        var (code, screen) = await StatusAsync(new Targets(url, nobody, TestStack.AdminKey, null));
        Assert.True(code == 10, $"admin and /metrics unreachable, nothing else read: expected P0 (10), got {code}:\n{screen}");
        Assert.StartsWith("P0  open docs/runbooks/CouponsStatusBlind.md", screen, StringComparison.Ordinal);
        Assert.Contains("admin API unreadable (connection refused)", screen, StringComparison.Ordinal);

        (code, screen) = await StatusAsync(new Targets(url, url, "not-the-key", null));
        Assert.True(code == 12, $"wrong admin key: expected P2 (12), got {code}:\n{screen}");
        Assert.Contains("ADMIN_KEY_INVALID", screen, StringComparison.Ordinal);

        (code, screen) = await StatusAsync(new Targets(url, url, TestStack.AdminKey, nobody));
        Assert.True(code == 12, $"Alertmanager unreachable: expected P2 (12), got {code}:\n{screen}");
        Assert.Contains("Alertmanager unreadable (connection refused)", screen, StringComparison.Ordinal);

        var twoReplicas = new Targets(url, url, TestStack.AdminKey, null) { Replicas = [new(url, url), new(nobody, nobody)] };
        (code, screen) = await StatusAsync(twoReplicas);
        Assert.True(code == 10, $"the second replica is down: expected P0 (10), got {code}:\n{screen}");
        Assert.Contains($"{nobody} does not answer its health check", screen, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Screen)> StatusAsync(Targets targets)
    {
        using var screen = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(screen),
        });
        console.Profile.Width = 240;
        var code = await StatusCommand.RunAsync(console, targets, watch: false, TimeSpan.FromSeconds(1), CancellationToken.None);
        return (code, screen.ToString());
    }
}
