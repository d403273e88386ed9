using System.Data.Common;
using System.Globalization;
using System.Security.Claims;
using Coupons.Auth;
using Coupons.Infrastructure.Edge;
using Coupons.Ledger;
using Coupons.Pauses;
using Coupons.Users;

namespace Coupons.Issuance;

public static class IssuanceApi
{
    public static IEndpointRouteBuilder MapIssuanceApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/coupons").WithTags("Issuance");
        // A token whose subject is the publicId (401 / 403 before any I/O); anonymous only where Auth:AllowAnonymous.
        var fcfs = group.MapPost("/{couponId}/issue-fcfs/{publicId}", IssueFcfs).WithName(IssuanceRateLimiting.FcfsEndpointName)
            .RequireUserOwning()
            .RequireRateLimiting(IssuanceRateLimiting.FcfsPolicy).WithMetadata(ClientLimit.Click);
        foreach (var answer in ClickOutcomes.All.Values.Where(o => o.ProblemCode is not null))
        {
            fcfs.Answers(answer.HttpStatus, answer.ProblemCode!);
        }

        group.MapGet("/{couponId}/issue-requests/{requestId}", GetIssueRequest).WithName("GetIssueRequest")
            .RequireUser()
            .RequireRateLimiting(IssuanceRateLimiting.ReadsPolicy).WithMetadata(ClientLimit.Read)
            .Answers(StatusCodes.Status404NotFound, ProblemCodes.RequestNotFound)
            .Answers(StatusCodes.Status503ServiceUnavailable, ProblemCodes.DatabaseUnavailable, ProblemCodes.RequestStatusUnknown);

        // Its outcome pushed: not under the reads bulkhead, whose permit it would hold for minutes; its lookup has a
        // bulkhead of its own and the streams a bound (RequestWatches).
        group.MapGet("/{couponId}/issue-requests/{requestId}/events", RequestStatusStream.OpenAsync).WithName("StreamIssueRequest")
            .Produces<IssueRequestView>(StatusCodes.Status200OK, "text/event-stream")
            .Produces(StatusCodes.Status204NoContent)
            .RequireUser()
            .WithMetadata(ClientLimit.Read, PersonReadLimit.Instance)
            .DisableRequestTimeout()
            .Answers(StatusCodes.Status404NotFound, ProblemCodes.RequestNotFound)
            .Answers(StatusCodes.Status503ServiceUnavailable, ProblemCodes.DatabaseUnavailable, ProblemCodes.RequestStatusUnknown, ProblemCodes.StatusStreamsFull);
        return routes;
    }

    public static async Task<Results<Accepted<IssueAccepted>, ProblemHttpResult>> IssueFcfs(
        long couponId, string publicId, FcfsIssuer issuer, HttpContext context, IOptions<PausesOptions> pauses, CancellationToken ct)
    {
        // publicId arrives canonical (RouteIds): one person however it is cased (design.md §2, I6).
        var outcome = await issuer.IssueAsync(couponId, publicId, ct);
        if (outcome.Status == IssueStatus.Accepted)
        {
            var statusUrl = StatusUrl(couponId, outcome.RequestId);
            return TypedResults.Accepted(statusUrl, new IssueAccepted(outcome.RequestId, couponId, publicId, RequestStatus.Pending, statusUrl));
        }

        var answer = ClickOutcomes.For(outcome.Status);
        if (outcome.Status == IssueStatus.Paused)
        {
            // Longer than a dependency's 1 s: an operator paused it, and a crowd retrying every second helps no one.
            context.Response.Headers.RetryAfter = pauses.Value.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        var extra = outcome.Status == IssueStatus.AlreadyRequested ? new Dictionary<string, object?> { ["requestId"] = outcome.RequestId } : null;
        return Problems.Create(answer.HttpStatus, answer.ProblemCode!, answer.Title, answer.Detail, extra);
    }

    /// <summary>
    /// A request's status, for its own user only: someone else's request is 404, exactly like one that does not exist,
    /// so status URLs leak nothing (where anonymous requests are allowed, anyone may read any).
    /// </summary>
    public static async Task<Results<Ok<IssueRequestView>, ProblemHttpResult>> GetIssueRequest(
        long couponId, Guid requestId, ClaimsPrincipal user, RequestStatusLookup lookup, UserDirectory users, IOptions<UserAuthOptions> auth, CancellationToken ct)
    {
        var (found, problem) = await FindOwnRequestAsync(couponId, requestId, user, lookup, users, auth.Value, ct);
        return found is null ? problem! : TypedResults.Ok(new IssueRequestView(requestId, couponId, found.Status, found.Reason));
    }

    /// <summary>
    /// The request if it is the caller's (see <see cref="GetIssueRequest"/>), or the problem to answer.
    /// </summary>
    internal static async Task<(RequestStatusFound? Found, ProblemHttpResult? Problem)> FindOwnRequestAsync(
        long couponId, Guid requestId, ClaimsPrincipal user, RequestStatusLookup lookup, UserDirectory users, UserAuthOptions auth, CancellationToken ct)
    {
        try
        {
            if (await lookup.FindAsync(couponId, requestId, ct) is { } found
                && (user.Identity?.IsAuthenticated != true || await IsOwnerAsync(user, found.UserId, users, auth, ct)))
            {
                return (found, null);
            }
        }
        catch (DbException)
        {
            return (null, Problems.Unavailable(ProblemCodes.DatabaseUnavailable, "Request status is unavailable: the database is unavailable."));
        }
        catch (RequestStatusUnknownException)
        {
            // Not "not found": a 202's request may be on its way to the database while its gate is rebuilt or Redis is
            // down.
            return (null, Problems.Unavailable(ProblemCodes.RequestStatusUnknown,
                "This request may still be on its way to the database and cannot be seen right now; ask again shortly."));
        }

        return (null, Problems.NotFound(ProblemCodes.RequestNotFound, "No such issue request for this coupon."));
    }

    private static async Task<bool> IsOwnerAsync(ClaimsPrincipal user, long owner, UserDirectory users, UserAuthOptions auth, CancellationToken ct) =>
        SubjectFilter.SubjectOf(user, auth) is { } subject && await users.FindIdAsync(subject, ct) == owner;

    private static string StatusUrl(long couponId, Guid requestId) => $"/api/coupons/{couponId}/issue-requests/{requestId}";
}
