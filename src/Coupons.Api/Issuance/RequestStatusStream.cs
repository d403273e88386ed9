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
/// cref="IssuanceOptions.StatusStreamHeartbeat"/>, and ends on PENDING after about <see
/// cref="IssuanceOptions.StatusStreamLifetime"/> (less up to a fifth, so a crowd that opened together does not
/// reconnect together), when the same person opens a newer stream, or when the instance stops. Each event carries an
/// id: an EventSource reconnecting after the outcome (<c>Last-Event-ID: decided</c>) or after a newer stream of the
/// same person replaced it (<c>superseded</c>: two tabs would otherwise cut each other off every few seconds) is
/// answered 204, which tells it to stop, without a lookup.
/// </summary>
public static class RequestStatusStream
{
    public const string EventType = "status";

    /// <summary>The id of the event that carries the outcome (and of every event of a decided request).</summary>
    public const string DecidedId = "decided";

    /// <summary>The id of the last event of a stream a newer one of the same person replaced.</summary>
    public const string SupersededId = "superseded";

    private const string PendingId = "pending";

    public static async Task<IResult> OpenAsync(
        long couponId, Guid requestId, ClaimsPrincipal user, RequestStatusLookup lookup, UserDirectory users, IOptions<UserAuthOptions> auth,
        RequestWatches watches, IOptions<IssuanceOptions> options, IHostApplicationLifetime lifetime, HttpContext context, CancellationToken ct)
    {
        if (context.Request.Headers["Last-Event-ID"] is [DecidedId or SupersededId])
        {
            return TypedResults.NoContent(); // the outcome was delivered, or another stream has it: an EventSource stops on 204
        }

        // No "is the instance full" check before the lookup: a decided request and a person's replacement stream need
        // no place, and the lookup is bounded by its own bulkhead.
        using var lease = await watches.Lookups.AcquireAsync(1, ct);
        if (!lease.IsAcquired)
        {
            return RateLimitedResponse.Problem();
        }

        var (found, problem) = await IssuanceApi.FindOwnRequestAsync(couponId, requestId, user, lookup, users, auth.Value, ct);
        lease.Dispose();
        if (found is null)
        {
            return problem!;
        }

        var view = new IssueRequestView(requestId, couponId, found.Status, found.Reason);
        context.Response.Headers["X-Accel-Buffering"] = "no"; // nginx and other buffering proxies pass each event on at once
        if (found.Status != RequestStatus.Pending)
        {
            return TypedResults.ServerSentEvents(Once(view));
        }

        return watches.TryOpen(couponId, requestId, found.UserId) is { } watch
            ? TypedResults.ServerSentEvents(UntilDecidedAsync(watch, view, watches, options.Value, lifetime.ApplicationStopping, ct))
            : Full();
    }

    private static ProblemHttpResult Full() =>
        Problems.Unavailable(ProblemCodes.StatusStreamsFull, "Too many status streams are open on this instance; read the status instead.");

    private static async IAsyncEnumerable<SseItem<IssueRequestView>> Once(IssueRequestView view)
    {
        await Task.CompletedTask;
        yield return new SseItem<IssueRequestView>(view, EventType) { EventId = DecidedId };
    }

    private static async IAsyncEnumerable<SseItem<IssueRequestView>> UntilDecidedAsync(
        RequestWatch watch, IssueRequestView pending, RequestWatches watches, IssuanceOptions options, CancellationToken stopping,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, stopping, watch.Superseded);
            var superseded = watch.Superseded;
            linked.CancelAfter(options.StatusStreamLifetime * (1 - (Random.Shared.NextDouble() / 5)));
            // An EventSource reconnects 1-5 s after an undecided end: a crowd cut off together comes back spread out.
            var still = new SseItem<IssueRequestView>(pending, EventType)
            {
                EventId = PendingId,
                ReconnectionInterval = TimeSpan.FromMilliseconds(Random.Shared.Next(1_000, 5_000)),
            };
            yield return still;
            while (!linked.IsCancellationRequested)
            {
                var heartbeat = Task.Delay(options.StatusStreamHeartbeat, linked.Token);
                if (await Task.WhenAny(watch.Decided, heartbeat) == watch.Decided)
                {
                    var decision = await watch.Decided;
                    yield return new SseItem<IssueRequestView>(pending with { Status = decision.Status, Reason = decision.Reason }, EventType) { EventId = DecidedId };
                    yield break;
                }

                if (!linked.IsCancellationRequested)
                {
                    yield return still;
                }
            }

            if (superseded.IsCancellationRequested)
            {
                yield return still with { EventId = SupersededId }; // its reconnect is answered 204: the newer stream has it
            }
        }
        finally
        {
            watches.Close(watch);
        }
    }
}
