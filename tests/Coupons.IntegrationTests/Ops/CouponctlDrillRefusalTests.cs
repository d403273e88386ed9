using Coupons.Cli;
using Coupons.Cli.Drills;
using Spectre.Console;

namespace Coupons.IntegrationTests.Ops;

/// <summary>
/// Issue 27 item 3: a drill whose alert is already pending or firing before its fault would count it as its own
/// detection at ~0 s. It refuses instead, before it creates, loads or breaks anything. A real Prometheus with the
/// repository's rules scrapes a port where nothing listens, so CouponsAppDown (the app-kill drill's alert) is active.
/// </summary>
[Trait("Category", "Ops")]
public sealed class CouponctlDrillRefusalTests
{
    [Fact]
    public async Task A_drill_whose_alert_is_already_active_refuses_to_run_and_touches_nothing()
    {
        var nobody = FreeTcpPort.Find();
        await using var prometheus = await PrometheusProcess.StartAsync(nobody);
        using var watch = new AlertWatch(prometheus.Address, "CouponsAppDown");
        await Eventually.TrueAsync(async () => await watch.ReadAsync(CancellationToken.None) is ("pending" or "firing", _), TimeSpan.FromSeconds(60),
            "CouponsAppDown never went pending for a target where nothing listens");

        var target = new Uri($"http://127.0.0.1:{nobody}");
        var settings = new DrillSettings(new Targets(target, target, TestStack.AdminKey, null), DrillStack.Test(StackControl.RepoRoot, target),
            prometheus.Address, MySql: "Server=127.0.0.1;Port=1;User ID=never-used", UsersPerSecond: 5, Warmup: TimeSpan.FromSeconds(10), Cooldown: TimeSpan.FromSeconds(5)) { QuietWait = TimeSpan.FromSeconds(2) };
        var reports = Directory.CreateTempSubdirectory("coupons-drill-refused-").FullName;
        using var screen = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(screen) });
        console.Profile.Width = 240;

        var code = await DrillCommand.RunAsync(console, DrillScenario.Named("app-kill"), settings, reports, CancellationToken.None);

        var output = screen.ToString();
        Assert.True(code == ExitCodes.DrillRefused, $"expected the drill to refuse (exit {ExitCodes.DrillRefused}), got {code}:\n{output}");
        Assert.Matches($"REFUSED app-kill: CouponsAppDown is already (pending|firing) on 127.0.0.1:{nobody} before the fault", output);
        Assert.DoesNotContain("coupon ", output, StringComparison.Ordinal); // nothing was created
        Assert.Empty(Directory.GetFiles(reports));
        Directory.Delete(reports);
    }
}
