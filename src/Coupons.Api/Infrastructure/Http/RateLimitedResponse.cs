using System.Globalization;
using System.Threading.RateLimiting;

namespace Coupons.Infrastructure.Http;

/// <summary>
/// The one 429: problem details <c>RATE_LIMITED</c> and a Retry-After from the limiter when it knows one.
/// </summary>
public static class RateLimitedResponse
{
    public static Task WriteAsync(HttpContext context, RateLimitLease lease)
    {
        context.Response.Headers.RetryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture)
            : RetryAfterMiddleware.DefaultSeconds;
        return Problem().ExecuteAsync(context);
    }

    public const string Title = "Too many requests";
    public const string Detail = "The service is at capacity; retry shortly.";

    /// <summary>429 <c>RATE_LIMITED</c> (RetryAfterMiddleware adds Retry-After where the caller set none).</summary>
    public static ProblemHttpResult Problem() =>
        Problems.Create(StatusCodes.Status429TooManyRequests, ProblemCodes.RateLimited, Title, Detail);
}
