using System.Data.Common;
using System.Security.Claims;
using Coupons.Auth;
using Coupons.Infrastructure.Edge;
using Coupons.Infrastructure.Http;
using Coupons.Ledger;
using Coupons.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Coupons.Issuance;

public sealed record IssueAccepted(Guid RequestId, long CouponId, string PublicId, string Status, string StatusUrl);

public sealed record IssueRequestView(Guid RequestId, long CouponId, string Status, string? Reason);

public static class IssuanceApi
{
    public static IEndpointRouteBuilder MapIssuanceApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/coupons").WithTags("Issuance");
        // A token whose subject is the publicId (401 / 403 before any I/O); anonymous only where Auth:AllowAnonymous.
        group.MapPost("/{couponId}/issue-fcfs/{publicId}", IssueFcfs).WithName(IssuanceRateLimiting.FcfsEndpointName)
            .RequireAuthorization(UserAuthentication.Policy).AddEndpointFilter<SubjectFilter>()
            .RequireRateLimiting(IssuanceRateLimiting.FcfsPolicy).WithMetadata(ClientLimit.Click);
        group.MapGet("/{couponId}/issue-requests/{requestId}", GetIssueRequest).WithName("GetIssueRequest")
            .RequireAuthorization(UserAuthentication.Policy)
            .RequireRateLimiting(IssuanceRateLimiting.ReadsPolicy).WithMetadata(ClientLimit.Read);
        return routes;
    }

    public static async Task<Results<Accepted<IssueAccepted>, ProblemHttpResult>> IssueFcfs(
        string couponId, string publicId, FcfsIssuer issuer, CancellationToken ct)
    {
        if (!Ids.TryParseCouponId(couponId, out var id))
        {
            return Problems.BadRequest(ProblemCodes.InvalidCouponId, "couponId must be a positive 64-bit integer.");
        }

        if (!Ids.TryCanonicalPublicId(publicId, out var person))
        {
            return Problems.BadRequest(ProblemCodes.InvalidPublicId, "publicId must be 1-36 characters of letters, digits, '-' or '_'.");
        }

        publicId = person; // one person however the id is cased (SPEC I6)
        var outcome = await issuer.IssueAsync(id, publicId, ct);
        if (outcome.Status == IssueStatus.Accepted)
        {
            var statusUrl = StatusUrl(id, outcome.RequestId);
            return TypedResults.Accepted(statusUrl, new IssueAccepted(outcome.RequestId, id, publicId, RequestStatus.Pending, statusUrl));
        }

        var answer = ClickOutcomes.For(outcome.Status);
        var extra = outcome.Status == IssueStatus.AlreadyRequested ? new Dictionary<string, object?> { ["requestId"] = outcome.RequestId } : null;
        return Problems.Create(answer.HttpStatus, answer.ProblemCode!, answer.Title, answer.Detail, extra);
    }

    /// <summary>
    /// A request's status, for its own user only: someone else's request is 404, exactly like one that does not exist,
    /// so status URLs leak nothing (where anonymous requests are allowed, anyone may read any).
    /// </summary>
    public static async Task<Results<Ok<IssueRequestView>, ProblemHttpResult>> GetIssueRequest(
        string couponId, string requestId, ClaimsPrincipal user, RequestStatusLookup lookup, UserDirectory users, IOptions<UserAuthOptions> auth, CancellationToken ct)
    {
        if (!Ids.TryParseCouponId(couponId, out var id))
        {
            return Problems.BadRequest(ProblemCodes.InvalidCouponId, "couponId must be a positive 64-bit integer.");
        }

        if (!Ids.TryParseRequestId(requestId, out var request))
        {
            return Problems.BadRequest(ProblemCodes.InvalidRequestId, "requestId must be a UUID.");
        }

        try
        {
            if (await lookup.FindAsync(id, request, ct) is { } found
                && (user.Identity?.IsAuthenticated != true || await IsOwnerAsync(user, found.UserId, users, auth.Value, ct)))
            {
                return TypedResults.Ok(new IssueRequestView(request, id, found.Status, found.Reason));
            }
        }
        catch (DbException)
        {
            return Problems.Unavailable(ProblemCodes.DatabaseUnavailable, "Request status is unavailable: the database is unavailable.");
        }

        return Problems.NotFound(ProblemCodes.RequestNotFound, "No such issue request for this coupon.");
    }

    private static async Task<bool> IsOwnerAsync(ClaimsPrincipal user, long owner, UserDirectory users, UserAuthOptions auth, CancellationToken ct) =>
        SubjectFilter.SubjectOf(user, auth) is { } subject && await users.FindIdAsync(subject, ct) == owner;

    private static string StatusUrl(long couponId, Guid requestId) => $"/api/coupons/{couponId}/issue-requests/{requestId}";
}
