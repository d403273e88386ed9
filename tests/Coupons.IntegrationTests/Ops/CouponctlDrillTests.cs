using Coupons.Cli;
using Coupons.Cli.Drills;
using Coupons.Cli.Postmortem;
using Coupons.IntegrationTests.Faults;
using Spectre.Console;

namespace Coupons.IntegrationTests.Ops;

/// <summary>
/// <c>couponctl drill</c> and <c>couponctl postmortem</c> against a real app on the test stack, with a real Prometheus
/// evaluating deploy/prometheus/alerts.yml: the guide's Redis and Kafka drills (design.md §1, §8) end with PASS and
/// their report files, and a post-mortem over a drill's window agrees with the database and the drill's load counters.
/// The app gets a database, topics and a consumer group of its own.
/// </summary>
[Trait("Category", "Ops")]
[Collection(FaultCollection.Name)]
public sealed class CouponctlDrillTests
{
    private static readonly string Reports = Path.Combine(StackControl.RepoRoot, ".test-infra", "drills");

    [Fact]
    public async Task Drill_redis_down_passes_and_its_postmortem_matches_the_database_and_the_load() =>
        await WithPrivateAppAsync(async (app, prometheus, mysql) =>
        {
            var report = await DrillAsync("redis-down", app, prometheus, mysql);
            Assert.True(report.Load.UsersRefusedAtLeastOnce > 0, $"no user was refused while Redis was down: {report.Load}");

            // The drill saw the alert go inactive in the rule state; the ALERTS series records it with a staleness
            // marker at that same evaluation. The post-mortem reads ALERTS in steps of AlertHistory.Step up to now, its
            // last step up to one step before now: drafted within a step of the marker, that step is still firing ("not
            // resolved"; clean clones C and F). Draft it once ALERTS has shown nothing firing for two steps, as a
            // person drafting it later would.
            const string Firing = "ALERTS{alertname=\"CouponsRedisDown\",alertstate=\"firing\"}";
            await Eventually.TrueAsync(async () => await prometheus.SeriesAtAsync(Firing, DateTimeOffset.UtcNow - 2 * AlertHistory.Step) == 0,
                TimeSpan.FromSeconds(30), "Prometheus's ALERTS still shows CouponsRedisDown firing after the drill saw it resolve");

            var (markdown, facts) = await PostmortemCommand.WriteAsync(report.StartedAt, report.EndedAt,
                new PostmortemSources(prometheus.Address, mysql, [app.LogPath], report), "en", Reports, CancellationToken.None);
            var document = await File.ReadAllTextAsync(markdown);
            Assert.Contains(facts.Versions ?? [], v => v.StartsWith(Coupons.Ops.BuildInfo.Version + " (", StringComparison.Ordinal)); // the build that ran (coupons_build_info)

            // Impact: the database's own count of the window's issued coupons, and the load generator's counters.
            var rows = (await Invariants.ReadAsync(report.CouponId, mysql)).Rows;
            Assert.Equal(rows, facts.Database!.IssuedInWindow);
            Assert.Equal(report.Load.Accepted, rows);
            Assert.Contains($"**{rows}** coupons", document, StringComparison.Ordinal);
            Assert.Matches(@"FCFS answers by outcome: .* up to the last scrape in it, \d\d:\d\d:\d\d UTC", document); // why they may read lower than the rows
            Assert.Contains($"**{report.Load.UsersRefusedAtLeastOnce}** of {report.Load.Users}", document, StringComparison.Ordinal);
            Assert.Contains($"**{report.Load.Requests - report.Load.Accepted - report.Load.Conflicts}** of {report.Load.Requests}", document, StringComparison.Ordinal);

            // Timeline: the alert firing and resolving (Prometheus's ALERTS), the app's own account, the drill's
            // events.
            Assert.Contains(facts.Timeline, e => e.Source == "Prometheus ALERTS" && e.What == "CouponsRedisDown (P1) firing");
            Assert.Contains(facts.Timeline, e => e.Source == "Prometheus ALERTS" && e.What == "CouponsRedisDown (P1) resolved");
            Assert.Contains(facts.Timeline, e => e.Source.StartsWith("app log", StringComparison.Ordinal) && e.What.StartsWith("Redis circuit opened", StringComparison.Ordinal));
            Assert.Contains(facts.Timeline, e => e.Source == "drill" && e.What.StartsWith("fault injected", StringComparison.Ordinal));
            Assert.Contains("| detect (fault to the first alert firing) |", document, StringComparison.Ordinal);

            // Charts: four PNGs, linked from the document.
            Assert.Equal(Charts.All.Count, facts.Charts.Count);
            foreach (var chart in facts.Charts)
            {
                var head = (await File.ReadAllBytesAsync(chart))[..8];
                Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, head);
                Assert.Contains($"/{Path.GetFileName(chart)})", document, StringComparison.Ordinal);
            }

            var (korean, _) = await PostmortemCommand.WriteAsync(report.StartedAt, report.EndedAt,
                new PostmortemSources(prometheus.Address, mysql, [app.LogPath], report), "ko", Reports, CancellationToken.None);
            Assert.Contains("# 장애 보고서", await File.ReadAllTextAsync(korean), StringComparison.Ordinal);
        });

    [Fact]
    public async Task Drill_kafka_down_passes() =>
        await WithPrivateAppAsync(async (app, prometheus, mysql) =>
        {
            var report = await DrillAsync("kafka-down", app, prometheus, mysql);
            Assert.Contains(report.Events, e => e.What.StartsWith("CouponsKafkaUnreachable firing", StringComparison.Ordinal));

            // Kafka down is not an outage for users: accepted clicks are parked in the database and relayed after.
            var (_, facts) = await PostmortemCommand.WriteAsync(report.StartedAt, report.EndedAt,
                new PostmortemSources(prometheus.Address, mysql, [app.LogPath], report), "en", Reports, CancellationToken.None);
            Assert.Contains(facts.Timeline, e => e.What.StartsWith("Kafka circuit opened", StringComparison.Ordinal));
            Assert.Contains(facts.Timeline, e => e.What.StartsWith("Relayed ", StringComparison.Ordinal));
            Assert.Equal(0, facts.Database!.ParkedNow);
        });

    private static async Task<DrillReport> DrillAsync(string scenario, AppProcess app, PrometheusProcess prometheus, string mysql)
    {
        var target = new Uri($"http://127.0.0.1:{app.Port}");
        var settings = new DrillSettings(new Targets(target, target, TestStack.AdminKey, null), DrillStack.Test(StackControl.RepoRoot, target),
            prometheus.Address, mysql, UsersPerSecond: 5, Warmup: TimeSpan.FromSeconds(10), Cooldown: TimeSpan.FromSeconds(5));
        using var screen = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(screen) });
        console.Profile.Width = 240;
        var before = Directory.Exists(Reports) ? Directory.GetFiles(Reports, $"*-{scenario}.json").ToHashSet() : [];

        var code = await DrillCommand.RunAsync(console, DrillScenario.Named(scenario), settings, Reports, CancellationToken.None);

        var output = screen.ToString();
        await FaultOutcome.RecordAsync($"couponctl drill {scenario}: {output.Split('\n').FirstOrDefault(l => l.StartsWith("PASS", StringComparison.Ordinal) || l.StartsWith("FAIL", StringComparison.Ordinal))}");
        Assert.True(code == 0, $"drill {scenario} did not PASS:\n{output}");
        var json = Assert.Single(Directory.GetFiles(Reports, $"*-{scenario}.json"), f => !before.Contains(f));
        Assert.True(File.Exists(Path.ChangeExtension(json, ".md")), "the Markdown report is missing");
        var report = await DrillReportFiles.ReadAsync(json, CancellationToken.None);
        Assert.True(report.Passed);
        Assert.All(report.Invariants, i => Assert.True(i.Holds, $"{i.Id}: {i.Evidence}"));
        Assert.True(report.Load.Accepted > 0, $"nobody was accepted: {report.Load}");
        return report;
    }

    private static async Task WithPrivateAppAsync(Func<AppProcess, PrometheusProcess, string, Task> drill)
    {
        await using var stack = await PrivateStack.CreateAsync();
        var settings = new Dictionary<string, string>(stack.AppSettings)
        {
            ["Logging:LogLevel:Coupons"] = "Information", // the post-mortem reads the app's state changes from its log
        };
        await using var app = await AppProcess.StartAsync(FreeTcpPort.Find(), settings, "couponctl-drill");
        await using var prometheus = await PrometheusProcess.StartAsync(app.Port);
        await prometheus.WaitForTargetUpAsync(TimeSpan.FromSeconds(60));
        await drill(app, prometheus, stack.MySql);
    }
}
