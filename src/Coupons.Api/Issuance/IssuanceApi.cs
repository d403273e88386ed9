using System.Data.Common;
using Coupons.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using StackExchange.Redis;

namespace Coupons.Issuance;

public sealed record IssueAccepted(Guid RequestId, long CouponId, string PublicId, string Status, string StatusUrl);

public sealed record IssueRequestView(Guid RequestId, long CouponId, string Status, string? Reason);

public static class IssuanceApi
{
    public static IEndpointRouteBuilder MapIssuanceApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/coupons").WithTags("Issuance");
        group.MapPost("/{couponId}/issue-fcfs/{publicId}", IssueFcfs).WithName(IssuanceRateLimiting.FcfsEndpointName)
            .RequireRateLimiting(IssuanceRateLimiting.FcfsPolicy);
        group.MapGet("/{couponId}/issue-requests/{requestId}", GetIssueRequest).WithName("GetIssueRequest")
            .RequireRateLimiting(IssuanceRateLimiting.ReadsPolicy);
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
        return outcome.Status switch
        {
            IssueStatus.Accepted => TypedResults.Accepted(
                StatusUrl(id, outcome.RequestId),
                new IssueAccepted(outcome.RequestId, id, publicId, RequestStatus.Pending, StatusUrl(id, outcome.RequestId))),
            IssueStatus.AlreadyRequested => Problems.Conflict(ProblemCodes.AlreadyRequested,
                "This user already requested this coupon.", new Dictionary<string, object?> { ["requestId"] = outcome.RequestId }),
            IssueStatus.SoldOut => Problems.Conflict(ProblemCodes.SoldOut, "The coupon is sold out."),
            IssueStatus.NotOpen => Problems.Conflict(ProblemCodes.NotOpen, "The coupon event has not started yet."),
            IssueStatus.Ended => Problems.Conflict(ProblemCodes.Ended, "The coupon event has ended."),
            IssueStatus.CouponNotFound => Problems.NotFound(ProblemCodes.CouponNotFound, $"Coupon {id} does not exist."),
            IssueStatus.UserNotFound => Problems.NotFound(ProblemCodes.UserNotFound, "No user has this publicId."),
            IssueStatus.GateNotReady => Problems.Unavailable(ProblemCodes.GateNotReady, "The coupon event is not open for issuing yet."),
            IssueStatus.RedisUnavailable => Problems.Unavailable(ProblemCodes.RedisUnavailable, "Issuing is paused: the stock gate is unavailable."),
            IssueStatus.KafkaUnavailable => Problems.Unavailable(ProblemCodes.KafkaUnavailable, "Issuing is paused: the request could not be queued."),
            IssueStatus.Busy => Problems.Create(StatusCodes.Status429TooManyRequests, ProblemCodes.RateLimited, "Too many requests", "The service is at capacity; retry shortly."),
            _ => Problems.Unavailable(ProblemCodes.DatabaseUnavailable, "Issuing is paused: the database is unavailable."),
        };
    }

    public static async Task<Results<Ok<IssueRequestView>, ProblemHttpResult>> GetIssueRequest(
        string couponId, string requestId, IssueRequestStore store, IssuanceGate gate, ParkedRequests parked, CancellationToken ct)
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
            if (await store.FindAsync(request, ct) is { } decided)
            {
                return TypedResults.Ok(new IssueRequestView(request, id, decided.Status, decided.Reason));
            }

            if (await IsInFlightAsync(gate, parked, id, request, ct))
            {
                return TypedResults.Ok(new IssueRequestView(request, id, RequestStatus.Pending, null));
            }
        }
        catch (DbException)
        {
            return Problems.Unavailable(ProblemCodes.DatabaseUnavailable, "Request status is unavailable: the database is unavailable.");
        }

        return Problems.NotFound(ProblemCodes.RequestNotFound, "No such issue request for this coupon.");
    }

    private static async Task<bool> IsInFlightAsync(IssuanceGate gate, ParkedRequests parked, long couponId, Guid requestId, CancellationToken ct)
    {
        try
        {
            if (await gate.IsAcceptedRequestAsync(couponId, requestId))
            {
                return true;
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Fall through to the parked table; without Redis an in-flight request may read as not found for a moment.
        }

        return await parked.ContainsAsync(requestId, ct);
    }

    private static string StatusUrl(long couponId, Guid requestId) => $"/api/coupons/{couponId}/issue-requests/{requestId}";
}
