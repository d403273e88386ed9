namespace Coupons.Requests;

/// <summary>
/// Why a message went to the dead-letter topic (header <c>dlq-reason</c>). Stable codes: dashboards and runbooks
/// read them. Each is deterministic: the same message would fail the same way however often it was retried.
/// </summary>
public static class DeadLetterReason
{
    /// <summary>Not a valid IssueRequested document (bad JSON, missing or invalid fields).</summary>
    public const string Malformed = "MALFORMED";

    /// <summary>Larger than any message this service produces.</summary>
    public const string TooLarge = "TOO_LARGE";

    public const string UnknownCoupon = "UNKNOWN_COUPON";

    public const string UnknownUser = "UNKNOWN_USER";

    /// <summary>The user id exists, but under another publicId.</summary>
    public const string PublicIdMismatch = "PUBLIC_ID_MISMATCH";

    /// <summary>
    /// The request id belongs to another coupon or user (a replay altered on the way): only the first is honoured.
    /// </summary>
    public const string RequestIdConflict = "REQUEST_ID_CONFLICT";

    /// <summary>
    /// The database refused the write for a reason in the data itself (a constraint, a value out of range).
    /// </summary>
    public const string ConstraintFailed = "CONSTRAINT_FAILED";

    /// <summary>Decoding failed in a way the decoder did not foresee (a defect of ours, kept out of the batch:
    /// design.md §2, I7).</summary>
    public const string Undecodable = "UNDECODABLE";
}

/// <summary>
/// A message that can never be applied, with its <see cref="DeadLetterReason"/> and a detail for operators.
/// </summary>
public sealed record UnappliableRequest(IssueRequested Request, string Reason, string Detail);
