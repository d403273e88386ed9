using System.Data.Common;
using System.Diagnostics;
using Coupons.Catalog;
using Coupons.Gate;
using Coupons.Infrastructure.Redis;
using Coupons.Ops;
using Coupons.Pauses;
using Coupons.Requests;
using Coupons.Users;

namespace Coupons.Issuance;

public enum IssueStatus
{
    Accepted,
    AlreadyRequested,
    SoldOut,
    NotOpen,
    Ended,
    CouponNotFound,
    UserNotFound,
    GateNotReady,

    /// <summary>
    /// An operator paused this sale or every sale (the kill switch): 503 with the pause's Retry-After.
    /// </summary>
    Paused,
    RedisUnavailable,
    KafkaUnavailable,
    DatabaseUnavailable,

    /// <summary>Too much work of this kind in progress (e.g. MySQL lookups of users the registry lacks): 429.</summary>
    Busy,
}

public readonly record struct IssueOutcome(IssueStatus Status, Guid RequestId = default);

/// <summary>
/// The first-come-first-served issue path: definition checks from in-process caches, the atomic Redis
/// gate, then an awaited Kafka publish. 202 is only ever answered once the request is durable in Kafka
/// or parked in the database (design.md §2, I3; §3); a unit is only given back when the publish definitely failed.
/// The rules are <see cref="ClickPolicy"/>'s (pure, unit-tested); this class performs the steps.
/// </summary>
public sealed partial class FcfsIssuer(
    CouponCatalog catalog,
    SaleSwitchboard switchboard,
    UserDirectory users,
    StockGate gate,
    GateBatcher gateBatcher,
    IssueRequestPublisher publisher,
    ParkedRequests parked,
    CouponMetrics metrics,
    TimeProvider clock,
    RedisClock sharedClock,
    ILogger<FcfsIssuer> logger)
{

    public async Task<IssueOutcome> IssueAsync(long couponId, string publicId, CancellationToken ct)
    {
        IssueOutcome outcome;
        try
        {
            outcome = await DecideAsync(couponId, publicId, ct);
        }
        catch (DbException)
        {
            // The coupon definition or an unregistered user needed MySQL (parking handles its own failures).
            outcome = new(IssueStatus.DatabaseUnavailable);
        }
        catch (BulkheadFullException)
        {
            outcome = new(IssueStatus.Busy);
        }

        metrics.IssueRequests.Add(1, new KeyValuePair<string, object?>("outcome", ClickOutcomes.For(outcome.Status).MetricLabel));
        return outcome;
    }

    /// <summary>
    /// The shell around <see cref="ClickPolicy"/>: it performs each step, the policy says what follows.
    /// </summary>
    private async Task<IssueOutcome> DecideAsync(long couponId, string publicId, CancellationToken ct)
    {
        var coupon = await catalog.FindAsync(couponId, ct);
        if (coupon is null)
        {
            return new(IssueStatus.CouponNotFound);
        }

        var now = clock.GetUtcNow();
        if (now.UtcDateTime < coupon.StartDate || now.UtcDateTime >= coupon.EndDate)
        {
            return await OutsideTheEventAsync(coupon, publicId, now, ct);
        }

        // The kill switch, before the gate: a paused sale touches neither Redis nor Kafka (the point of pausing a sick
        // one). Outside its window a click hears what it would have heard anyway.
        if (await switchboard.PauseForAsync(couponId, ct) is not null)
        {
            // A sale the database shows sold out has a final answer, not "retry later" (hostile review, issue 23).
            return new(coupon.IssuedQuantity >= coupon.TotalQuantity ? IssueStatus.SoldOut : IssueStatus.Paused);
        }

        // One round trip decides the usual click: the gate script also checks the user registry. The id carries the
        // moment on Redis's clock, the one every instance's reconciler judges its age by.
        var requestId = RequestIds.New(sharedClock.GetUtcNow());
        var decision = await AskGateAsync(couponId, publicId, requestId, knownUserId: null);
        var next = ClickPolicy.AfterGate(decision, requestId, userLookedUp: false);
        if (next.Step == ClickStep.LookUpUserThenAskAgain)
        {
            // Not in the registry (never seen here, or Redis lost it): MySQL decides, and the gate registers them.
            var userId = await users.FindInDatabaseAsync(publicId, ct);
            if (userId is null)
            {
                return new(IssueStatus.UserNotFound);
            }

            decision = await AskGateAsync(couponId, publicId, requestId, userId);
            next = ClickPolicy.AfterGate(decision, requestId, userLookedUp: true);
        }

        return next.Step == ClickStep.Publish
            ? await PublishAsync(new IssueRequested(requestId, couponId, decision!.Value.UserId, publicId, now))
            : next.Outcome;
    }

    /// <summary>
    /// Before the start or after the end: an unknown user still hears 404 first, as on an open coupon.
    /// </summary>
    private async Task<IssueOutcome> OutsideTheEventAsync(Coupon coupon, string publicId, DateTimeOffset now, CancellationToken ct)
    {
        if (await users.FindIdAsync(publicId, ct) is null)
        {
            return new(IssueStatus.UserNotFound);
        }

        return new(now.UtcDateTime < coupon.StartDate ? IssueStatus.NotOpen : IssueStatus.Ended);
    }

    /// <summary>The gate's decision, or null when Redis cannot answer (the caller answers 503).</summary>
    private async Task<GateDecision?> AskGateAsync(long couponId, string publicId, Guid requestId, long? knownUserId)
    {
        var started = Stopwatch.GetTimestamp();
        using var span = CouponTracing.Source.StartActivity("coupon.gate", ActivityKind.Client);
        span?.SetTag("coupon.id", couponId);
        try
        {
            // Through the Redis circuit, batched with concurrent clicks. A timed-out call may have run on the server;
            // the retry keeps our requestId, so the script then answers Duplicate with *our* id: the unit is ours (see
            // DecideAsync).
            var decision = await gateBatcher.TakeAsync(new GateClick(couponId, publicId, requestId, knownUserId));
            span?.SetTag("coupon.gate.verdict", decision.Verdict.ToString());
            return decision;
        }
        catch (Exception ex) when (RedisCircuit.IsUnavailable(ex))
        {
            // Fail fast: no DB-arbitrated fallback here, so a Redis outage cannot turn into a DB stampede.
            if (ex is not Polly.CircuitBreaker.BrokenCircuitException)
            {
                // While the circuit is open every call fails the same way; the breaker logged that once.
                GateFailed(logger, couponId, ex.GetType().Name, ex.Message);
            }

            span?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            return null;
        }
        finally
        {
            metrics.GateDuration.Record(CouponMetrics.Seconds(started));
        }
    }

    private async Task<IssueOutcome> PublishAsync(IssueRequested request)
    {
        var published = await publisher.PublishAsync(request);
        if (ClickPolicy.AfterPublish(published) is { } confirmed)
        {
            return new(confirmed, request.RequestId);
        }

        metrics.ProduceFailures.Add(1, new KeyValuePair<string, object?>("result", published.ToString().ToLowerInvariant()));

        // Kafka did not confirm it. Park it durably and let the relay deliver it: the user keeps the unit and
        // a Kafka outage costs nothing but latency. A copy that did reach Kafka is absorbed by the idempotent consumer.
        var isParked = false;
        try
        {
            await parked.ParkAsync(request, CancellationToken.None);
            metrics.Parked.Add(1);
            isParked = true;
        }
        catch (DbException ex)
        {
            ParkFailed(logger, request.RequestId, ex.Message);
        }

        var then = ClickPolicy.AfterPark(published, isParked);
        if (then.GiveUnitBack)
        {
            await CompensateAsync(request);
        }

        return new(then.Status, then.Status == IssueStatus.Accepted ? request.RequestId : default);
    }

    private async Task CompensateAsync(IssueRequested request)
    {
        try
        {
            await gate.ReleaseAsync(request.CouponId, request.RequestId);
        }
        catch (Exception ex) when (RedisCircuit.IsUnavailable(ex))
        {
            CompensationFailed(logger, request.RequestId, ex.Message);
        }
    }

    [LoggerMessage(EventId = 4203, Level = LogLevel.Warning, Message = "Gate call for coupon {CouponId} failed: {ExceptionType} {Reason}")]
    private static partial void GateFailed(ILogger logger, long couponId, string exceptionType, string reason);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Error, Message = "Request {RequestId}: Kafka did not confirm it and parking failed: {Reason}")]
    private static partial void ParkFailed(ILogger logger, Guid requestId, string reason);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "Request {RequestId}: could not return its unit to the gate: {Reason}")]
    private static partial void CompensationFailed(ILogger logger, Guid requestId, string reason);
}
