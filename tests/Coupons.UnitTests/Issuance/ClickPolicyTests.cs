using Coupons.Gate;
using Coupons.Infrastructure.Http;
using Coupons.Issuance;

namespace Coupons.UnitTests.Issuance;

/// <summary>Every verdict × lookup state, every publish result, every publish result × park result.</summary>
public sealed class ClickPolicyTests
{
    private static readonly Guid Ours = Guid.Parse("01900000-0000-7000-8000-000000000001");
    private static readonly Guid Theirs = Guid.Parse("01900000-0000-7000-8000-000000000002");

    public static TheoryData<GateVerdict, bool, bool, ClickStep, IssueStatus?> GateRows => new()
    {
        // verdict, duplicate carries our id, user already looked up → step, answer
        { GateVerdict.Accepted, false, false, ClickStep.Publish, null },
        { GateVerdict.Accepted, false, true, ClickStep.Publish, null },
        { GateVerdict.Duplicate, true, false, ClickStep.Publish, null },   // our own retried call ran on the server: the unit is ours
        { GateVerdict.Duplicate, true, true, ClickStep.Publish, null },
        { GateVerdict.Duplicate, false, false, ClickStep.Answer, IssueStatus.AlreadyRequested },
        { GateVerdict.Duplicate, false, true, ClickStep.Answer, IssueStatus.AlreadyRequested },
        { GateVerdict.SoldOut, false, false, ClickStep.Answer, IssueStatus.SoldOut },
        { GateVerdict.SoldOut, false, true, ClickStep.Answer, IssueStatus.SoldOut },
        { GateVerdict.NotReady, false, false, ClickStep.Answer, IssueStatus.GateNotReady },
        { GateVerdict.NotReady, false, true, ClickStep.Answer, IssueStatus.GateNotReady },
        { GateVerdict.UnknownUser, false, false, ClickStep.LookUpUserThenAskAgain, null },
        { GateVerdict.UnknownUser, false, true, ClickStep.Answer, IssueStatus.GateNotReady }, // told the id, still unknown: never loop
    };

    [Theory]
    [MemberData(nameof(GateRows))]
    public void The_gate_verdict_decides_the_next_step(GateVerdict verdict, bool ourId, bool lookedUp, ClickStep step, IssueStatus? answer)
    {
        var decision = ClickPolicy.AfterGate(new GateDecision(verdict, ourId ? Ours : Theirs, 7), Ours, lookedUp);

        Assert.Equal(step, decision.Step);
        if (answer is { } expected)
        {
            Assert.Equal(expected, decision.Outcome.Status);
        }
    }

    [Fact]
    public void A_duplicate_answer_names_the_earlier_request() =>
        Assert.Equal(Theirs, ClickPolicy.AfterGate(new GateDecision(GateVerdict.Duplicate, Theirs, 7), Ours, userLookedUp: false).Outcome.RequestId);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void No_answer_from_the_gate_is_redis_unavailable(bool lookedUp)
    {
        var decision = ClickPolicy.AfterGate(null, Ours, lookedUp);

        Assert.Equal((ClickStep.Answer, IssueStatus.RedisUnavailable), (decision.Step, decision.Outcome.Status));
    }

    [Theory]
    [InlineData(PublishResult.Persisted, IssueStatus.Accepted)]
    [InlineData(PublishResult.NotPersisted, null)]
    [InlineData(PublishResult.CircuitOpen, null)]
    [InlineData(PublishResult.Ambiguous, null)]
    public void Only_a_confirmed_publish_is_accepted_at_once(PublishResult published, IssueStatus? expected) =>
        Assert.Equal(expected, ClickPolicy.AfterPublish(published));

    [Theory]
    // published, parked → answer, give the unit back
    [InlineData(PublishResult.NotPersisted, true, IssueStatus.Accepted, false)]
    [InlineData(PublishResult.CircuitOpen, true, IssueStatus.Accepted, false)]
    [InlineData(PublishResult.Ambiguous, true, IssueStatus.Accepted, false)]
    [InlineData(PublishResult.NotPersisted, false, IssueStatus.KafkaUnavailable, true)]
    [InlineData(PublishResult.CircuitOpen, false, IssueStatus.KafkaUnavailable, true)]
    [InlineData(PublishResult.Ambiguous, false, IssueStatus.KafkaUnavailable, false)] // may yet be consumed: reconciliation settles it
    public void An_unconfirmed_publish_is_parked_and_a_unit_goes_back_only_when_definitely_unwritten(
        PublishResult published, bool parked, IssueStatus status, bool giveBack) =>
        Assert.Equal(new UnconfirmedPublish(status, giveBack), ClickPolicy.AfterPark(published, parked));
}

public sealed class ClickOutcomesTests
{
    [Fact]
    public void Every_status_has_exactly_one_row() =>
        Assert.Equal(Enum.GetValues<IssueStatus>().Order(), ClickOutcomes.All.Keys.Order());

    [Theory]
    [InlineData(IssueStatus.Accepted, 202, null, "accepted")]
    [InlineData(IssueStatus.AlreadyRequested, 409, "ALREADY_REQUESTED", "already_requested")]
    [InlineData(IssueStatus.SoldOut, 409, "SOLD_OUT", "sold_out")]
    [InlineData(IssueStatus.NotOpen, 409, "COUPON_NOT_OPEN", "not_open")]
    [InlineData(IssueStatus.Ended, 409, "COUPON_ENDED", "ended")]
    [InlineData(IssueStatus.CouponNotFound, 404, "COUPON_NOT_FOUND", "coupon_not_found")]
    [InlineData(IssueStatus.UserNotFound, 404, "USER_NOT_FOUND", "user_not_found")]
    [InlineData(IssueStatus.GateNotReady, 503, "GATE_NOT_READY", "gate_not_ready")]
    [InlineData(IssueStatus.RedisUnavailable, 503, "REDIS_UNAVAILABLE", "redis_unavailable")]
    [InlineData(IssueStatus.KafkaUnavailable, 503, "KAFKA_UNAVAILABLE", "kafka_unavailable")]
    [InlineData(IssueStatus.DatabaseUnavailable, 503, "DATABASE_UNAVAILABLE", "database_unavailable")]
    [InlineData(IssueStatus.Busy, 429, "RATE_LIMITED", "busy")]
    public void Each_outcome_is_answered_and_counted_as_the_api_promises(IssueStatus status, int http, string? code, string metric)
    {
        var row = ClickOutcomes.For(status);

        Assert.Equal((http, code, metric), (row.HttpStatus, row.ProblemCode, row.MetricLabel));
        Assert.False(string.IsNullOrWhiteSpace(row.Detail));
    }

    [Fact]
    public void Metric_labels_are_distinct() =>
        Assert.Equal(ClickOutcomes.All.Count, ClickOutcomes.All.Values.Select(o => o.MetricLabel).Distinct().Count());

    [Fact]
    public void Every_refusal_carries_a_known_problem_code()
    {
        var known = typeof(ProblemCodes).GetFields().Select(f => (string)f.GetValue(null)!).ToHashSet();

        Assert.All(ClickOutcomes.All.Values.Where(o => o.HttpStatus >= 400), o => Assert.Contains(o.ProblemCode!, known));
    }
}
