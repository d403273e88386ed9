using Coupons.Gate;

namespace Coupons.Issuance;

/// <summary>What the click path does next, decided by <see cref="ClickPolicy"/>.</summary>
public enum ClickStep
{
    /// <summary>
    /// The user is not in the Redis registry: look them up in MySQL, then ask the gate again with their id.
    /// </summary>
    LookUpUserThenAskAgain,

    /// <summary>The unit is ours: publish the request to Kafka.</summary>
    Publish,

    /// <summary>Decided: answer with the outcome.</summary>
    Answer,
}

/// <summary>The next step and, when it is <see cref="ClickStep.Answer"/>, the outcome.</summary>
public readonly record struct ClickDecision(ClickStep Step, IssueOutcome Outcome = default);

/// <summary>What to do once Kafka did not confirm a publish and parking was tried.</summary>
public readonly record struct UnconfirmedPublish(IssueStatus Status, bool GiveUnitBack);

/// <summary>
/// The rules of the click path, free of I/O (the way <see cref="BatchDecider"/> holds the consumer's). The shell,
/// <see cref="FcfsIssuer"/>, performs each step and asks here what follows:
/// <list type="bullet">
/// <item>the gate's verdict: an unknown user is looked up in MySQL once, then asked again; a duplicate carrying our own
/// request id is our unit (a retried call whose first attempt ran on the server); no answer at all is Redis
/// down;</item>
/// <item>a publish: 202 only once Kafka confirmed it, or else it is parked durably in the database;</item>
/// <item>neither Kafka nor the database has it: 503, and the unit goes back only when Kafka definitely did not write it
/// (an ambiguous publish may yet be consumed: its unit stays taken until reconciliation settles it).</item>
/// </list>
/// </summary>
public static class ClickPolicy
{
    /// <param name="decision">The gate's answer; null when Redis could not answer.</param>
    /// <param name="ourRequestId">The request id this click sent.</param>
    /// <param name="userLookedUp">Whether the user was already looked up in MySQL for this click (then the gate
    /// registered them).</param>
    public static ClickDecision AfterGate(GateDecision? decision, Guid ourRequestId, bool userLookedUp)
    {
        if (decision is not { } answer)
        {
            return Answer(IssueStatus.RedisUnavailable);
        }

        return answer.Verdict switch
        {
            GateVerdict.Accepted => new(ClickStep.Publish),
            GateVerdict.Duplicate when answer.RequestId == ourRequestId => new(ClickStep.Publish),
            GateVerdict.Duplicate => Answer(IssueStatus.AlreadyRequested, answer.RequestId),
            GateVerdict.SoldOut => Answer(IssueStatus.SoldOut),
            // The gate was told the user's id, so it cannot still not know them: treat it as a gate that is not ready.
            GateVerdict.UnknownUser when userLookedUp => Answer(IssueStatus.GateNotReady),
            GateVerdict.UnknownUser => new(ClickStep.LookUpUserThenAskAgain),
            _ => Answer(IssueStatus.GateNotReady),
        };
    }

    /// <summary>After a publish: accepted when Kafka has it; otherwise the shell parks it (null).</summary>
    public static IssueStatus? AfterPublish(PublishResult published) =>
        published == PublishResult.Persisted ? IssueStatus.Accepted : null;

    /// <summary>After Kafka did not confirm and parking was tried.</summary>
    public static UnconfirmedPublish AfterPark(PublishResult published, bool parked) =>
        parked
            ? new(IssueStatus.Accepted, GiveUnitBack: false)
            : new(IssueStatus.KafkaUnavailable, GiveUnitBack: published is PublishResult.NotPersisted or PublishResult.CircuitOpen);

    private static ClickDecision Answer(IssueStatus status, Guid requestId = default) => new(ClickStep.Answer, new IssueOutcome(status, requestId));
}
