using System.Threading.RateLimiting;
using Coupons.Auth;
using Coupons.Infrastructure.Edge;
using Microsoft.AspNetCore.RateLimiting;

namespace Coupons.Issuance;

public static class IssuanceRateLimiting
{
    public const string FcfsPolicy = "fcfs";
    public const string ReadsPolicy = "reads";
    public const string FcfsEndpointName = "IssueFcfs";

    /// <summary>
    /// Per person limits and the bulkheads of the FCFS and read endpoints, from the bound
    /// <see cref="IssuanceOptions"/>.
    /// </summary>
    internal static IServiceCollection AddIssuanceRateLimiting(this IServiceCollection services)
    {
        // Per person, on their clicks and on reads of their coupons: one script hammering the button or polling cannot
        // crowd out everyone else. Keyed by the canonical publicId; memory bounded whatever ids are sent. Singletons,
        // so the container disposes their sweep timers with the app.
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<IssuanceOptions>>().Value;
            var clock = sp.GetRequiredService<TimeProvider>();
            var auth = sp.GetRequiredService<IOptions<UserAuthOptions>>().Value;
            return new PersonLimits(
                new KeyedRateLimiter(options.PerUserPerSecond, context => IsClick(context) ? Person(context, auth) : null, clock, options.MaxTrackedPeople),
                new KeyedRateLimiter(options.ReadsPerUserPerSecond, context => IsPersonRead(context) ? Person(context, auth) : null, clock, options.MaxTrackedPeople));
        });
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<IssuanceOptions>, PersonLimits>((limiter, issuance, people) =>
        {
            var options = issuance.Value;
            // After authentication: a caller without a valid token cannot spend someone else's allowance. (Per client
            // address, the limits come before it: see ClientLimits.)
            limiter.GlobalLimiter = people.Global;
            limiter.AddConcurrencyLimiter(FcfsPolicy, o =>
            {
                o.PermitLimit = options.MaxConcurrentRequests;
                o.QueueLimit = options.MaxQueuedRequests;
                o.QueueProcessingOrder = QueueProcessingOrder.OldestFirst; // first come, first served, also here
            });
            // Reads that reach MySQL (a user's coupons, a request's status) share its pool with the rest of the app: a
            // flood of them, valid ids or not, waits here instead of there. (The consumer has a pool of its own.)
            limiter.AddConcurrencyLimiter(ReadsPolicy, o =>
            {
                o.PermitLimit = options.MaxConcurrentReads;
                o.QueueLimit = options.MaxQueuedReads;
                o.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
            limiter.OnRejected = (context, _) => new ValueTask(RateLimitedResponse.WriteAsync(context.HttpContext, context.Lease));
        });
        return services;
    }

    private static bool IsClick(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == FcfsEndpointName;

    private static bool IsPersonRead(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<PersonReadLimit>() is not null;

    /// <summary>
    /// The person a click or read counts against: the token's subject (design.md §3, Edge; §9), whatever publicId the
    /// path names, so someone else's token spends its own allowance and never the person it names (issue 21, item 3: a
    /// stranger's refused clicks locked the victim out with 429), and one account is one entry in the table of tracked
    /// people however many ids it makes up. Anonymous requests (where allowed) count against the canonical publicId in
    /// the path, so re-casing an id buys no fresh allowance; null for an invalid id, answered 400 without any I/O.
    /// </summary>
    private static string? Person(HttpContext context, UserAuthOptions auth) =>
        context.User.Identity?.IsAuthenticated == true
            ? SubjectFilter.SubjectOf(context.User, auth)
            : Ids.TryCanonicalPublicId(context.Request.RouteValues["publicId"] as string, out var person) ? person : null;
}

/// <summary>
/// The per-person limits, as one global limiter (a request passes both: each applies only to its own routes).
/// </summary>
public sealed class PersonLimits(KeyedRateLimiter clicks, KeyedRateLimiter reads) : IDisposable
{
    public PartitionedRateLimiter<HttpContext> Global { get; } = PartitionedRateLimiter.CreateChained(clicks, reads);

    public void Dispose()
    {
        Global.Dispose();
        clicks.Dispose();
        reads.Dispose();
    }
}

/// <summary>Endpoint metadata: reads of this endpoint count against the person in its <c>{publicId}</c>.</summary>
public sealed class PersonReadLimit
{
    public static readonly PersonReadLimit Instance = new();
}
