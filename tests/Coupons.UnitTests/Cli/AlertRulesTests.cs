using Coupons.Cli;
using Coupons.Cli.Status;
using YamlDotNet.RepresentationModel;

namespace Coupons.UnitTests.Cli;

/// <summary>
/// deploy/prometheus/alerts.yml, <c>couponctl status</c> and the post-mortem use one definition of each pipeline signal
/// (<see cref="AlertRules"/>), and status gives each finding the severity of the alert it is named after (issue 27 item
/// 2: on main at f830887 status called parked requests P2 while the rule pages P1, and summed a lag every replica
/// exports).
/// </summary>
public sealed class AlertRulesTests
{
    private static readonly Replica Replica = new(new Uri("http://app-1:8081"), new Uri("http://app-1:9081"));

    private static ReplicaSignals Healthy => new()
    {
        Replica = Replica,
        Dependencies = [new("db", true, null), new("redis", true, null), new("kafka", true, null), new("consumer", true, null)],
        Circuits = new Dictionary<string, int> { ["redis"] = 0, ["kafka"] = 0 },
        LagByPartition = new Dictionary<string, long> { ["0"] = 0, ["1"] = 0 },
        Parked = 0,
        PausesViewAge = 0.2,
    };

    /// <summary>For each alert status can name, a reading that must make status name it.</summary>
    public static TheoryData<string> Alerts => ["CouponsMySQLDown", "CouponsRedisDown", "CouponsKafkaUnreachable", "CouponsConsumerLagHigh",
        "CouponsParkedRequestsGrowing", "CouponsDeadLetters", "CouponsReconciliationDrift", "CouponsCircuitOpen", "CouponsConsumerPaused", "CouponsAppDown",
        "CouponsSalePaused", "CouponsEverySalePaused"];

    private static Signals Showing(string alert)
    {
        ReplicaSignals Down(string dependency) => Healthy with { Dependencies = [.. Healthy.Dependencies.Select(d => d.Name == dependency ? d with { Up = false } : d)] };
        var replica = alert switch
        {
            "CouponsMySQLDown" => Down("db"),
            "CouponsRedisDown" => Down("redis"),
            "CouponsKafkaUnreachable" => Down("kafka"),
            "CouponsConsumerLagHigh" => Healthy with { LagByPartition = new Dictionary<string, long> { ["0"] = AlertRules.ConsumerLagThreshold + 1 } },
            "CouponsParkedRequestsGrowing" => Healthy with { Parked = 3 },
            "CouponsCircuitOpen" => Healthy with { Circuits = new Dictionary<string, int> { ["redis"] = 1, ["kafka"] = 0 } },
            "CouponsConsumerPaused" => Healthy with { ConsumerPaused = true },
            "CouponsAppDown" => new ReplicaSignals { Replica = Replica, AppUnreachable = "connection refused", MetricsError = "connection refused" },
            _ => Healthy,
        };
        return new Signals
        {
            At = DateTimeOffset.UtcNow,
            Replicas = [replica],
            DeadLetters = 1,
            NewDeadLetters = alert == "CouponsDeadLetters" ? 1 : 0,
            Coupons = alert == "CouponsReconciliationDrift" ? [new CouponState(1, "a", false, 0, 0, ["gate 3, database 2"])] : [],
            Pauses = alert switch
            {
                "CouponsSalePaused" => [new Coupons.Contracts.SalePauseView { CouponId = 11, PausedBy = "ops" }],
                "CouponsEverySalePaused" => [new Coupons.Contracts.SalePauseView { PausedBy = "ops" }],
                _ => [],
            },
        };
    }

    [Theory]
    [MemberData(nameof(Alerts))]
    public void Status_names_each_alert_with_the_rules_severity(string alert)
    {
        var finding = Assert.Single(Triage.Assess(Showing(alert)).Findings);
        Assert.Equal((alert, Rule(alert).Severity), (finding.Runbook, finding.Severity.ToString()));
    }

    [Fact]
    public void The_lag_rule_is_the_shared_definition_over_the_shared_threshold() =>
        Assert.Equal($"{AlertRules.ConsumerLag} > {AlertRules.ConsumerLagThreshold}", Rule("CouponsConsumerLagHigh").Expr);

    [Fact]
    public void The_parked_rule_reads_the_shared_definition() =>
        Assert.StartsWith($"{AlertRules.Parked} > 0", Rule("CouponsParkedRequestsGrowing").Expr, StringComparison.Ordinal);

    [Fact]
    public void The_dead_letter_rule_fires_on_the_shared_window() =>
        Assert.Equal($"sum(increase(coupons_consumer_dead_lettered_total[{AlertRules.DeadLetterWindow.TotalMinutes:F0}m])) > 0", Rule("CouponsDeadLetters").Expr);

    /// <summary>
    /// Each alert's runbook_url is a page that exists (status and the alert send the on-call to the same place).
    /// </summary>
    [Fact]
    public void Every_alerts_runbook_exists()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "alerts.yml"))));
        var groups = (YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["groups"];
        var runbooks = groups.Cast<YamlMappingNode>().SelectMany(g => (YamlSequenceNode)g["rules"]).Cast<YamlMappingNode>()
            .Where(r => r.Children.ContainsKey("alert"))
            .Select(r => (Alert: r["alert"].ToString(), Url: ((YamlMappingNode)r["annotations"])["runbook_url"].ToString()))
            .ToList();

        Assert.NotEmpty(runbooks);
        Assert.All(runbooks, r => Assert.True(File.Exists(RepositoryFiles.Path(r.Url.Split('/'))), $"{r.Alert}: {r.Url} does not exist"));
        Assert.Equal("docs/runbooks/CouponsConsumerPaused.md", runbooks.Single(r => r.Alert == "CouponsConsumerPaused").Url);
    }

    private static (string Severity, string Expr) Rule(string alert)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "alerts.yml"))));
        var groups = (YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["groups"];
        var rule = groups.Cast<YamlMappingNode>().SelectMany(g => (YamlSequenceNode)g["rules"]).Cast<YamlMappingNode>()
            .Single(r => r.Children.TryGetValue("alert", out var name) && name.ToString() == alert);
        return (((YamlMappingNode)rule["labels"])["severity"].ToString(), rule["expr"].ToString().Trim());
    }
}
