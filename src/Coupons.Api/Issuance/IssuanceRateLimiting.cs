using System.Globalization;
using System.Threading.RateLimiting;
using Coupons.Infrastructure.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace Coupons.Issuance;

public static class IssuanceRateLimiting
{
    public const string FcfsPolicy = "fcfs";
    public const string FcfsEndpointName = "IssueFcfs";

    public static IServiceCollection AddIssuanceRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IssuanceOptions>().Bind(configuration.GetSection(IssuanceOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var options = configuration.GetSection(IssuanceOptions.Section).Get<IssuanceOptions>() ?? new IssuanceOptions();
        // Per user, on the FCFS route only: one script hammering the button cannot crowd out everyone else.
        // A singleton, so the container disposes its sweep timer with the app.
        services.AddSingleton(sp => new PerUserRateLimiter(options.PerUserPerSecond, FcfsClicker, sp.GetRequiredService<TimeProvider>()));
        services.AddOptions<RateLimiterOptions>().Configure<PerUserRateLimiter>((limiter, perUser) => limiter.GlobalLimiter = perUser);
        services.AddRateLimiter(limiter =>
        {
            limiter.AddConcurrencyLimiter(FcfsPolicy, o =>
            {
                o.PermitLimit = options.MaxConcurrentRequests;
                o.QueueLimit = options.MaxQueuedRequests;
                o.QueueProcessingOrder = QueueProcessingOrder.OldestFirst; // first come, first served, also here
            });
            limiter.OnRejected = async (context, ct) =>
            {
                var response = context.HttpContext.Response;
                response.Headers.RetryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture)
                    : RetryAfterMiddleware.DefaultSeconds;
                await Problems.Create(StatusCodes.Status429TooManyRequests, ProblemCodes.RateLimited, "Too many requests",
                    "The service is at capacity; retry shortly.").ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }

    /// <summary>The user an FCFS click counts against; null for every other request.</summary>
    private static string? FcfsClicker(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == FcfsEndpointName
            ? context.Request.RouteValues["publicId"] as string
            : null;
}
