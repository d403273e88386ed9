namespace Coupons.Gate;

/// <summary>The gate's answer to one click (take.lua's codes are mapped in <see cref="Scripts.TakeScript"/>).</summary>
public enum GateVerdict
{
    Accepted,
    SoldOut,
    Duplicate,
    NotReady,

    /// <summary>The user is not in the Redis registry: look them up in MySQL and ask again with their id.</summary>
    UnknownUser,
}

/// <summary>
/// One click for the gate to decide. <see cref="KnownUserId"/> is the user's id when the caller looked them up in
/// MySQL (the gate then registers them); without it an unregistered user gets <see cref="GateVerdict.UnknownUser"/>.
/// </summary>
public readonly record struct GateClick(long CouponId, string PublicId, Guid RequestId, long? KnownUserId = null);

/// <summary>
/// What the gate said. For <see cref="GateVerdict.Duplicate"/>, <see cref="RequestId"/> is the earlier request;
/// <see cref="UserId"/> is the registered user's internal id (0 for <see cref="GateVerdict.UnknownUser"/>, and for
/// <see cref="GateVerdict.NotReady"/> while the gates are not trusted).
/// </summary>
public readonly record struct GateDecision(GateVerdict Verdict, Guid RequestId, long UserId);

/// <summary>
/// The Redis server's run_id and the run_id its gates were verified under; trusted when they are the same.
/// </summary>
public sealed record GateTrust(string RunId, string TrustedRunId)
{
    public bool Trusted => RunId == TrustedRunId;
}

public sealed record GateState(long CouponId, bool Open, long? RemainingStock, long AcceptedUsers, long AcceptedRequests);
