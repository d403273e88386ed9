using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using Coupons.Auth;
using Coupons.Ledger;
using Coupons.Users;

namespace Coupons.Issuance;

/// <summary>
/// <c>GET .../issue-requests/{requestId}/events</c>: a request's outcome pushed as server-sent events instead of
/// polled. The same checks as the status read (its own user's request, else 404), then one <c>status</c> event at once
/// and one when the request is decided, after which the stream ends. While it waits it repeats PENDING every <see
/// cref="IssuanceOptions.StatusStreamHeartbeat"/>, and ends on PENDING after <see
/// cref="IssuanceOptions.StatusStreamLifetime"/> or when the instance stops (the client reconnects, or polls).
/// </summary>
public static class RequestStatusStream
{
    public const string EventType = "status";

    /// <summary>How soon an EventSource reconnects after a stream ends undecided.</summary>
    private static readonly TimeSpan Reconnect = TimeSpan.FromSeconds(1);

    public static async Task<IResult> OpenAsync(
        long couponId, Guid requestId, ClaimsPrincipal user, RequestStatusLookup lookup, UserDirectory users, IOptions<UserAuthOptions> auth,
        RequestWatches watches, IOptions<IssuanceOptions> options, IHostApplicationLifetime lifetime, HttpContext context, CancellationToken ct)
    {
        var (found, problem) = await IssuanceApi.FindOwnRequestAsync(couponId, requestId, user, lookup, users, auth.Value, ct);
        if (found is null)
        {
            return problem!;
        }

        var view = new IssueRequestView(requestId, couponId, found.Status, found.Reason);
        // nginx and other buffering proxies pass each event on at once.
        context.Response.Headers["X-Accel-Buffering"] = "no";
        if (found.Status != RequestStatus.Pending)
        {
            return TypedResults.ServerSentEvents(Once(view));
        }

        var (watch, refusal) = watches.TryOpen(couponId, requestId, found.UserId);
        return refusal switch
        {
            WatchRefusal.PersonHasOne => Problems.Conflict(ProblemCodes.StatusStreamOpen,
                "This person already has a status stream open; close it, or read the status instead."),
            WatchRefusal.Full => Problems.Unavailable(ProblemCodes.StatusStreamsFull,
                "Too many status streams are open on this instance; read the status instead."),
            _ => TypedResults.ServerSentEvents(UntilDecidedAsync(watch!, view, watches, options.Value, lifetime.ApplicationStopping, ct)),
        };
    }

    private static async IAsyncEnumerable<SseItem<IssueRequestView>> Once(IssueRequestView view)
    {
        await Task.CompletedTask;
        yield return new SseItem<IssueRequestView>(view, EventType);
    }

    private static async IAsyncEnumerable<SseItem<IssueRequestView>> UntilDecidedAsync(
        RequestWatch watch, IssueRequestView pending, RequestWatches watches, IssuanceOptions options, CancellationToken stopping,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, stopping);
            linked.CancelAfter(options.StatusStreamLifetime);
            var still = new SseItem<IssueRequestView>(pending, EventType) { ReconnectionInterval = Reconnect };
            yield return still;
            while (!linked.IsCancellationRequested)
            {
                var heartbeat = Task.Delay(options.StatusStreamHeartbeat, linked.Token);
                if (await Task.WhenAny(watch.Decided, heartbeat) == watch.Decided)
                {
                    var decision = await watch.Decided;
                    yield return new SseItem<IssueRequestView>(pending with { Status = decision.Status, Reason = decision.Reason }, EventType);
                    yield break;
                }

                if (!linked.IsCancellationRequested)
                {
                    yield return still;
                }
            }
        }
        finally
        {
            watches.Close(watch);
        }
    }
}
