namespace Coupons.Contracts;

/// <summary>Where a campaign (one coupon's sale) stands, as <see cref="CampaignView.State"/> says it.</summary>
public static class CampaignStates
{
    /// <summary>Its window has not begun.</summary>
    public const string Scheduled = "SCHEDULED";

    /// <summary>In its window with units left: clicks are taken.</summary>
    public const string Open = "OPEN";

    /// <summary>
    /// In its window, but its gate cannot say what is left (Redis down, restarted and not yet verified, or the gate
    /// being rebuilt): clicks are refused with 503 until it can. <see cref="CampaignView.Unread"/> says why.
    /// </summary>
    public const string Unavailable = "UNAVAILABLE";

    /// <summary>
    /// In its window, stopped by an operator (<see cref="CampaignView.Pause"/>, its own or every sale's): clicks are
    /// refused with 503 <c>SALE_PAUSED</c>; requests accepted before the pause are still issued.
    /// </summary>
    public const string Paused = "PAUSED";

    /// <summary>In its window with no unit left (in the gate, or every unit issued).</summary>
    public const string SoldOut = "SOLD_OUT";

    /// <summary>Its window is over.</summary>
    public const string Ended = "ENDED";
}

/// <summary>
/// One campaign for the people who run it: its window, its state and its figures. <see cref="Remaining"/> and
/// <see cref="InFlight"/> come from the Redis gate; when it cannot be read (Redis down, a gate not yet verified or
/// rebuilt) they are null and <see cref="Unread"/> says why, never a guess.
/// </summary>
public sealed record CampaignView
{
    public long CouponId { get; init; }

    public string Name { get; init; } = "";

    /// <summary>One of <see cref="CampaignStates"/>.</summary>
    public string State { get; init; } = "";

    /// <summary>The sale window (UTC): on sale from the start until the end.</summary>
    public DateTime StartDate { get; init; }

    public DateTime EndDate { get; init; }

    public int Total { get; init; }

    /// <summary>Issued in the database.</summary>
    public int Issued { get; init; }

    /// <summary>
    /// Taken from the gate and not written yet: requests on their way to the database, and units reconciliation will
    /// give back. Null when the gate was not read.
    /// </summary>
    public long? InFlight { get; init; }

    /// <summary>Units still on sale in the gate; null when it was not read.</summary>
    public long? Remaining { get; init; }

    /// <summary>Why the gate's figures are missing, when they are.</summary>
    public string? Unread { get; init; }

    /// <summary>
    /// The pause stopping its clicks, its own or every sale's (<see cref="SalePauseView.CouponId"/> null); null when
    /// none. A scheduled sale that is paused opens paused.
    /// </summary>
    public SalePauseView? Pause { get; init; }
}

/// <summary>A pause in force: one sale's, or every sale's (the global switch).</summary>
public sealed record SalePauseView
{
    /// <summary>The paused sale's coupon; null for the switch that pauses every sale.</summary>
    public long? CouponId { get; init; }

    public DateTime PausedAt { get; init; }

    /// <summary>The admin key's actor that paused it.</summary>
    public string PausedBy { get; init; } = "";

    /// <summary>Why, as the operator wrote it; never shown to shoppers.</summary>
    public string? Reason { get; init; }
}

/// <summary>The body of a pause (optional): why, for the on-call and the post-mortem.</summary>
public sealed record PauseSaleRequest
{
    /// <summary>At most 200 characters, no control characters.</summary>
    public string? Reason { get; init; }
}

/// <summary>What a pause or a resume did.</summary>
public sealed record SaleSwitchResult
{
    /// <summary>False when it was already so: paused once, or not paused to resume (both answer 200).</summary>
    public bool Changed { get; init; }

    /// <summary>
    /// This switch's pause after the call (the first one, when it was paused already); null once resumed.
    /// </summary>
    public SalePauseView? Pause { get; init; }

    /// <summary>
    /// Whether clicks on this sale are still refused after the call: a sale resumed while every sale is paused still
    /// is.
    /// </summary>
    public bool ClicksRefused { get; init; }
}

/// <summary>
/// A new total for a campaign: raise it, or lower it (never below what is issued and in flight). With
/// <see cref="ExpectedTotal"/>, only if the total is still the one the caller read (else 409 <c>TOTAL_CHANGED</c>), so
/// a retried "add 500" cannot add twice.
/// </summary>
public sealed record ChangeTotalRequest
{
    /// <summary>1 to 10,000,000.</summary>
    public int? Total { get; init; }

    public int? ExpectedTotal { get; init; }
}

/// <summary>A new window for a campaign; a date left out keeps its value. Dates carry their offset.</summary>
public sealed record MoveWindowRequest
{
    public DateTimeOffset? StartDate { get; init; }

    public DateTimeOffset? EndDate { get; init; }
}

/// <summary>What a change of a campaign did, and the campaign after it.</summary>
public sealed record CampaignChanged
{
    /// <summary>False when it already was so (the same total, an ended sale ended again): both answer 200.</summary>
    public bool Changed { get; init; }

    public CampaignView Campaign { get; init; } = new();
}

/// <summary>
/// The server's time, for a client that must not trust its own clock in a flash sale: it counts down from
/// <see cref="ServerTime"/> as it received it (a round trip's error at most), not from its own clock.
/// </summary>
public sealed record ServerTimeView
{
    public DateTime ServerTime { get; init; }
}

/// <summary>
/// A sale's countdown as a shopper's page shows it: "starts in 10 s", "ends in 3 min", "paused", from the server's
/// clock. <see cref="State"/> is <c>SCHEDULED</c>, <c>OPEN</c>, <c>PAUSED</c> or <c>ENDED</c> (the window and the
/// kill switch; whether units are left is the issuable list's).
/// </summary>
public sealed record SaleCountdown
{
    public long CouponId { get; init; }

    public string State { get; init; } = "";

    public DateTime ServerTime { get; init; }

    public DateTime StartDate { get; init; }

    public DateTime EndDate { get; init; }

    /// <summary>Until the sale opens; 0 once it has.</summary>
    public long MillisecondsToStart { get; init; }

    /// <summary>Until the sale ends; 0 once it has.</summary>
    public long MillisecondsToEnd { get; init; }
}
