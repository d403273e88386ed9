using System.Text.Json;
using System.Text.RegularExpressions;
using Coupons.Cli;
using Coupons.Cli.Actions;
using Coupons.Cli.Collect;
using Coupons.Cli.Drills;
using Coupons.Cli.Postmortem;
using Coupons.Cli.Status;
using Coupons.Contracts;

namespace Coupons.UnitTests.Cli;

/// <summary>
/// Issue 22: <c>--output json</c> has a documented, stable shape. Each document as the code writes it must have exactly
/// the fields docs/couponctl-json.md shows for it: a field added, renamed or removed in one fails until the other
/// agrees.
/// </summary>
public sealed partial class CliJsonShapeTests
{
    /// <summary>
    /// Fields whose children are data, not shape: dictionaries keyed by name, and other programs' documents.
    /// </summary>
    private static readonly string[] FreeForm = ["replicas[].circuits", "pipeline.lagByPartition", "answer", "report", "contexts[].settings"];

    private static readonly Replica First = new(new Uri("http://app-1:8081"), new Uri("http://app-1:9081"));
    private static readonly Replica Second = new(new Uri("http://app-2:8081"), new Uri("http://app-2:9081"));

    [Fact]
    public void Status_has_the_documented_fields()
    {
        var signals = new Signals
        {
            At = DateTimeOffset.UnixEpoch,
            Replicas =
            [
                new ReplicaSignals
                {
                    Replica = First, Dependencies = [new("db", true, null)], Circuits = new Dictionary<string, int> { ["redis"] = 0 },
                    LagByPartition = new Dictionary<string, long> { ["0"] = 0 }, Parked = 0,
                },
                new ReplicaSignals { Replica = Second, MetricsError = "connection refused" },
            ],
            NewDeadLetters = 0,
            DeadLetters = 0,
            OpenCoupons = 1,
            Coupons = [new CouponState(11, "Flash sale", true, 0, 0, [])],
            Pauses = [new SalePauseView { CouponId = 11, PausedAt = DateTime.UnixEpoch, PausedBy = "ops", Reason = "redis" }],
            Alerts = [new FiringAlert("CouponsConsumerLagHigh", "P2", "docs/runbooks/CouponsConsumerLagHigh.md", DateTimeOffset.UnixEpoch)],
        };

        AssertDocumented("status", StatusJson.From(signals, Triage.Assess(signals)));
    }

    [Fact]
    public void What_status_could_not_read_is_null_beside_its_reason_never_zero()
    {
        var signals = new Signals
        {
            At = DateTimeOffset.UnixEpoch,
            Replicas = [new ReplicaSignals { Replica = First, MetricsError = "connection refused" }],
            AdminError = "connection refused",
            PausesError = "connection refused",
        };

        var json = JsonSerializer.SerializeToElement(StatusJson.From(signals, Triage.Assess(signals)), CliOutput.Json);

        var replica = json.GetProperty("replicas")[0];
        Assert.Equal(JsonValueKind.Null, replica.GetProperty("parked").ValueKind);
        Assert.Equal(JsonValueKind.Null, replica.GetProperty("consumerPaused").ValueKind);
        var pipeline = json.GetProperty("pipeline");
        Assert.All(["consumerLag", "parked", "newDeadLetters", "deadLetters"], field => Assert.Equal(JsonValueKind.Null, pipeline.GetProperty(field).ValueKind));
        Assert.Equal("connection refused", pipeline.GetProperty("adminError").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("coupons").GetProperty("open").ValueKind); // not seen, not 0
        Assert.Equal(JsonValueKind.Null, json.GetProperty("sales").GetProperty("paused").ValueKind); // not seen, not "none"
        Assert.Equal("P0", json.GetProperty("severity").GetString());
        Assert.Equal(10, json.GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public void An_action_has_the_documented_fields() =>
        AssertDocumented("consumer pause", new ActionJson("consumer pause", 1, "done", 0, "done", 200, new ConsumerState(true, true)));

    [Fact]
    public void A_dead_letter_list_has_the_documented_fields() =>
        AssertDocumented("dlq list", DeadLettersJson.Of([new DeadLetter(0, 12, "11", "unreadable payload", "coupon.issue.requested/2@4711", "2026-12-07T03:01:02Z", "{")]));

    [Fact]
    public void A_drill_has_the_documented_fields() =>
        AssertDocumented("drill", new DrillJson("drill", 1, "redis-down", "REFUSED", ExitCodes.DrillRefused, "busy", null, null, null));

    [Fact]
    public void A_command_that_ended_without_its_document_has_the_documented_fields() =>
        AssertDocumented("dlq list", new OutcomeJson("dlq list", 1, "unreachable", ExitCodes.Unreachable, "could not reach the target"), example: "error");

    [Fact]
    public void A_context_list_has_the_documented_fields() =>
        AssertDocumented("context list", new Coupons.Cli.Contexts.ContextCommand.ContextsJson("context list", 1, "/f", "a",
            [new Coupons.Cli.Contexts.ContextCommand.CliContextJson("a", true, new Dictionary<string, string> { ["COUPONCTL_URL"] = "http://x" })]));

    [Fact]
    public void Collect_and_postmortem_have_the_documented_fields()
    {
        AssertDocumented("collect", CollectJson.Of("bundle.zip", [new BundlePart("app/health.json", true, "health")]));
        AssertDocumented("postmortem", PostmortemJson.Of(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(1), "draft.md"));
    }

    [Fact]
    public void Campaign_list_and_show_have_the_documented_fields()
    {
        var campaign = new CampaignView
        {
            CouponId = 12, Name = "Black Friday", State = CampaignStates.Open, StartDate = DateTime.UnixEpoch, EndDate = DateTime.UnixEpoch,
            Total = 1000, Issued = 412, InFlight = 3, Remaining = 585,
        };

        AssertDocumented("campaign list", new Coupons.Cli.Campaigns.CampaignCommand.CampaignsJson("campaign list", 1, [campaign]));
        AssertDocumented("campaign show", new Coupons.Cli.Campaigns.CampaignCommand.CampaignJson("campaign show", 1, campaign with
        {
            Unread = "no gate", Pause = new SalePauseView { CouponId = 12, PausedAt = DateTime.UnixEpoch, PausedBy = "ops", Reason = "why" },
        }));
    }

    private static void AssertDocumented<T>(string command, T document, string? example = null)
    {
        var written = Paths(JsonSerializer.SerializeToElement(document, CliOutput.Json));
        var documented = Paths(DocumentedExample(command, example));
        Assert.Equal(documented.Order(StringComparer.Ordinal), written.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// The doc's example whose "command" is <paramref name="command"/> (and whose "outcome" is that of an error, for
    /// <c>error</c>).
    /// </summary>
    private static JsonElement DocumentedExample(string command, string? example)
    {
        var doc = File.ReadAllText(RepositoryFiles.Path("docs", "couponctl-json.md"));
        var examples = JsonBlock().Matches(doc).Select(m => JsonDocument.Parse(m.Groups[1].Value).RootElement);
        return Assert.Single(examples, e => e.GetProperty("command").GetString() == command
            && (example == "error") == (e.TryGetProperty("outcome", out var outcome) && outcome.GetString() == "unreachable"));
    }

    /// <summary>
    /// Every field's path (arrays as []), each element of an array walked; free-form fields as themselves only.
    /// </summary>
    private static HashSet<string> Paths(JsonElement element, string prefix = "")
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        if (prefix.Length > 0)
        {
            paths.Add(prefix);
        }

        if (FreeForm.Contains(prefix))
        {
            return paths;
        }

        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                paths.UnionWith(Paths(property.Value, prefix.Length == 0 ? property.Name : $"{prefix}.{property.Name}"));
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                paths.UnionWith(Paths(item, prefix + "[]"));
            }
        }

        return paths;
    }

    [GeneratedRegex("```json\\n(.*?)\\n```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
