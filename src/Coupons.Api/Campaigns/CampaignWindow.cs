using Coupons.Catalog;

namespace Coupons.Campaigns;

/// <summary>A window change the rules allow, or why not (a problem code and a sentence for the operator).</summary>
public readonly record struct WindowDecision(DateTime Start, DateTime End, string? RefusedCode = null, string? Refusal = null, bool Changed = false)
{
    public bool Allowed => RefusedCode is null;
}

/// <summary>
/// The rules for moving a sale's window (pure, unit-tested): an ended sale keeps its window (its figures are final); a
/// sale that has begun keeps its start (clicks were judged by it) and may only end in the future (ending it now is
/// <c>end</c>); a scheduled sale may move both, but not into the past; the end always after the start. "Begun" is by
/// this instance's clock: an instance whose clock runs ahead may have taken a click a moment earlier, which stays a
/// holder like any other (the pause is the tool for stopping a sale about to start).
/// </summary>
public static class CampaignWindow
{
    /// <summary>How far in the past a new start may be: an operator's "now" that took a moment to arrive.</summary>
    public static readonly TimeSpan StartTolerance = TimeSpan.FromMinutes(1);

    public static WindowDecision Decide(Coupon coupon, DateTime utcNow, DateTimeOffset? newStart, DateTimeOffset? newEnd)
    {
        var start = newStart?.UtcDateTime ?? coupon.StartDate;
        var end = newEnd?.UtcDateTime ?? coupon.EndDate;
        if (newStart is null && newEnd is null)
        {
            return Refuse(ProblemCodes.InvalidRequest, "Give startDate, endDate or both.");
        }

        if (utcNow >= coupon.EndDate)
        {
            return Refuse(ProblemCodes.CampaignEnded, "The sale has ended: its window is final.");
        }

        var begun = utcNow >= coupon.StartDate;
        if (begun && newStart is not null && start != coupon.StartDate)
        {
            return Refuse(ProblemCodes.SaleStarted, "The sale has begun: its start cannot move (clicks were judged by it).");
        }

        if (!begun && start < utcNow - StartTolerance)
        {
            return Refuse(ProblemCodes.InvalidRequest, "startDate is in the past: to open the sale now, give the current time.");
        }

        if (end <= utcNow)
        {
            return Refuse(ProblemCodes.InvalidRequest, "endDate is not in the future: to end the sale now, use end.");
        }

        return end <= start ? Refuse(ProblemCodes.InvalidRequest, "endDate must be after startDate.")
            : new(start, end, Changed: start != coupon.StartDate || end != coupon.EndDate);

        WindowDecision Refuse(string code, string why) => new(coupon.StartDate, coupon.EndDate, code, why);
    }
}
