namespace Coupons.Ledger;

/// <summary>A request's states as the API and the database spell them (design.md §3, Status; §4, what "decided"
/// means).</summary>
public static class RequestStatus
{
    public const string Pending = "PENDING";
    public const string Issued = "ISSUED";
    public const string Rejected = "REJECTED";
}

public static class RejectReason
{
    /// <summary>The database had no stock left (the gate and the database disagreed; the database wins).</summary>
    public const string SoldOut = "SOLD_OUT";

    /// <summary>The user already holds this coupon through another request.</summary>
    public const string Duplicate = "ALREADY_ISSUED";

    /// <summary>
    /// No longer written (such a message now goes to the dead-letter topic); rows from earlier versions still read so.
    /// </summary>
    public const string CouponNotFound = "COUPON_NOT_FOUND";
}

/// <summary>
/// A user's coupon (a user_coupons row) as stored: issued UNUSED, USED by an order at checkout, UNUSED again when that
/// order is cancelled. Expiry is read from expires_at, never written.
/// </summary>
public static class UserCouponStatus
{
    public const string Unused = "UNUSED";
    public const string Used = "USED";
}
