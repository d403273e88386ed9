namespace Coupons.Infrastructure.Http;

/// <summary>Every 429 and 503 tells the client when to come back, whichever code path produced it.</summary>
public sealed class RetryAfterMiddleware(RequestDelegate next)
{
    public const string DefaultSeconds = "1";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(static state =>
        {
            var response = (HttpResponse)state;
            if (response.StatusCode is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable
                && !response.Headers.ContainsKey("Retry-After"))
            {
                response.Headers.RetryAfter = DefaultSeconds;
            }

            return Task.CompletedTask;
        }, context.Response);
        return next(context);
    }
}
