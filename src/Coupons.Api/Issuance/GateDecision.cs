namespace Coupons.Issuance;

public enum GateVerdict
{
    Accepted = 0,
    SoldOut = 1,
    Duplicate = 2,
    NotReady = 3,
}

/// <summary>What the gate said. For <see cref="GateVerdict.Duplicate"/>, <see cref="RequestId"/> is the earlier request.</summary>
public readonly record struct GateDecision(GateVerdict Verdict, Guid RequestId);

public sealed record GateState(long CouponId, bool Open, long? RemainingStock, long AcceptedUsers, long AcceptedRequests);
