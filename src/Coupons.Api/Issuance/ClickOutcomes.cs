namespace Coupons.Issuance;

/// <summary>
/// How one <see cref="IssueStatus"/> is answered and counted: HTTP status, problem code and detail, metric label.
/// </summary>
public sealed record ClickOutcome(IssueStatus Status, int HttpStatus, string? ProblemCode, string Title, string Detail, string MetricLabel);

/// <summary>
/// The one table from a click's outcome to its answer and its metric label, used by the endpoint and the metrics alike
/// (the problem codes are listed in design.md §3, Answers, and never change).
/// </summary>
public static class ClickOutcomes
{
    public static readonly IReadOnlyDictionary<IssueStatus, ClickOutcome> All = new ClickOutcome[]
    {
        new(IssueStatus.Accepted, StatusCodes.Status202Accepted, null, "Accepted", "The request is queued; poll its status.", "accepted"),
        new(IssueStatus.AlreadyRequested, StatusCodes.Status409Conflict, ProblemCodes.AlreadyRequested, "Conflict", "This user already requested this coupon.", "already_requested"),
        new(IssueStatus.SoldOut, StatusCodes.Status409Conflict, ProblemCodes.SoldOut, "Conflict", "The coupon is sold out.", "sold_out"),
        new(IssueStatus.NotOpen, StatusCodes.Status409Conflict, ProblemCodes.NotOpen, "Conflict", "The coupon event has not started yet.", "not_open"),
        new(IssueStatus.Ended, StatusCodes.Status409Conflict, ProblemCodes.Ended, "Conflict", "The coupon event has ended.", "ended"),
        new(IssueStatus.CouponNotFound, StatusCodes.Status404NotFound, ProblemCodes.CouponNotFound, "Not found", "The coupon does not exist.", "coupon_not_found"),
        new(IssueStatus.UserNotFound, StatusCodes.Status404NotFound, ProblemCodes.UserNotFound, "Not found", "No user has this publicId.", "user_not_found"),
        new(IssueStatus.GateNotReady, StatusCodes.Status503ServiceUnavailable, ProblemCodes.GateNotReady, Unavailable, "The coupon event is not open for issuing yet.", "gate_not_ready"),
        new(IssueStatus.Paused, StatusCodes.Status503ServiceUnavailable, ProblemCodes.SalePaused, Unavailable, "The sale is paused; retry later.", "paused"),
        new(IssueStatus.RedisUnavailable, StatusCodes.Status503ServiceUnavailable, ProblemCodes.RedisUnavailable, Unavailable, "Issuing is paused: the stock gate is unavailable.", "redis_unavailable"),
        new(IssueStatus.KafkaUnavailable, StatusCodes.Status503ServiceUnavailable, ProblemCodes.KafkaUnavailable, Unavailable, "Issuing is paused: the request could not be queued.", "kafka_unavailable"),
        new(IssueStatus.DatabaseUnavailable, StatusCodes.Status503ServiceUnavailable, ProblemCodes.DatabaseUnavailable, Unavailable, "Issuing is paused: the database is unavailable.", "database_unavailable"),
        new(IssueStatus.Busy, StatusCodes.Status429TooManyRequests, ProblemCodes.RateLimited, "Too many requests", "The service is at capacity; retry shortly.", "busy"),
    }.ToDictionary(o => o.Status);

    private const string Unavailable = "Service temporarily unavailable";

    public static ClickOutcome For(IssueStatus status) => All[status];
}
