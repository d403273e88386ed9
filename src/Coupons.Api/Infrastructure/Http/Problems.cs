namespace Coupons.Infrastructure.Http;

/// <summary>
/// RFC 9457 problem details with a stable <c>code</c>. The detail text is ours, never an exception message.
/// </summary>
public static class Problems
{
    public static ProblemHttpResult Create(int status, string code, string title, string? detail = null, IDictionary<string, object?>? extra = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (extra is not null)
        {
            foreach (var (key, value) in extra)
            {
                extensions[key] = value;
            }
        }

        return TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);
    }

    public static ProblemHttpResult BadRequest(string code, string detail) => Create(StatusCodes.Status400BadRequest, code, "Invalid request", detail);

    public static ProblemHttpResult NotFound(string code, string detail) => Create(StatusCodes.Status404NotFound, code, "Not found", detail);

    /// <summary>404 <c>COUPON_NOT_FOUND</c>, as every admin endpoint about one coupon says it.</summary>
    public static ProblemHttpResult NoSuchCoupon(long couponId) => NotFound(ProblemCodes.CouponNotFound, $"Coupon {couponId} does not exist.");

    public static ProblemHttpResult Conflict(string code, string detail, IDictionary<string, object?>? extra = null) =>
        Create(StatusCodes.Status409Conflict, code, "Conflict", detail, extra);

    /// <summary>
    /// 503: a dependency makes an answer impossible right now; <see cref="RetryAfterMiddleware"/> adds Retry-After.
    /// </summary>
    public static ProblemHttpResult Unavailable(string code, string detail) =>
        Create(StatusCodes.Status503ServiceUnavailable, code, "Service temporarily unavailable", detail);
}
