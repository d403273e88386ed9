using System.Collections.Concurrent;
using Coupons.Gate;
using Coupons.Issuance;
using Coupons.Ledger;

namespace Coupons.Reconciliation;

/// <summary>
/// Repairs drift between the Redis gate and the database for one coupon (design.md §5.5; §2, I4): units taken by
/// requests the database will never issue go back to the gate: requests the database rejected, and requests that never
/// entered the pipeline (no decision, not parked, older than the grace period, pipeline drained). Users who
/// hold the coupon in the database but are unknown to the gate are put back in it.
/// </summary>
public sealed partial class Reconciler(
    RequestLedger ledger,
    GateInspector gate,
    GateRepair repair,
    PipelineDrain drain,
    IOptions<ReconciliationOptions> options,
    IOptions<Infrastructure.Kafka.KafkaOptions> kafka,
    Ops.CouponMetrics metrics,
    TimeProvider clock,
    Infrastructure.Redis.RedisClock sharedClock,
    ILogger<Reconciler> logger)
{
    /// <summary>
    /// What the last full pass of each coupon saw: when, and how many rejected decisions the database had.
    /// </summary>
    private readonly ConcurrentDictionary<long, (DateTimeOffset At, long Rejected)> _lastFullPass = new();

    /// <summary>
    /// The background round: a full pass only when cheap counts hint at drift, or when the last full pass is older
    /// than <see cref="ReconciliationOptions.FullPassInterval"/>. A full pass reads every accepted request of the
    /// coupon from Redis and the database; for a sale with hundreds of thousands of holders that is a burst of
    /// memory and CPU, and it would otherwise run every <see cref="ReconciliationOptions.Interval"/> for nothing.
    /// </summary>
    public async Task<ReconcileResult> ReconcileIfDriftedAsync(long couponId, CancellationToken ct)
    {
        var gateState = await gate.ReadStateAsync(couponId);
        if (!gateState.Open)
        {
            return new(couponId, false, "gate not open", 0, 0, 0);
        }

        var (holders, rejected) = await ledger.CountAsync(couponId, ct);
        var sameAsLastPass = _lastFullPass.TryGetValue(couponId, out var last)
            && last.Rejected == rejected
            && clock.GetUtcNow() - last.At < options.Value.FullPassInterval;
        // Every drift changes a count: a rejected request still holding a unit arrives as a new rejected decision,
        // a leaked unit makes the gate count more than the database, a holder the gate forgot makes it count less.
        // (Two drifts cancelling each other exactly is left to the periodic full pass.)
        return sameAsLastPass && gateState.AcceptedRequests == holders
            ? new(couponId, false, "no drift", 0, 0, 0)
            : await FullPassAsync(couponId, rejected, ct);
    }

    /// <summary>
    /// A full pass (the admin API's reconcile): compares every request the gate counts with the database and repairs
    /// what differs.
    /// </summary>
    public async Task<ReconcileResult> ReconcileAsync(long couponId, CancellationToken ct)
    {
        if (!await gate.IsOpenAsync(couponId))
        {
            return new(couponId, false, "gate not open", 0, 0, 0);
        }

        var (_, rejected) = await ledger.CountAsync(couponId, ct);
        return await FullPassAsync(couponId, rejected, ct);
    }

    /// <param name="rejectedDecisions">The database's count of refusals, remembered so later rounds can tell new
    /// ones.</param>
    private async Task<ReconcileResult> FullPassAsync(long couponId, long rejectedDecisions, CancellationToken ct)
    {
        var startedAt = clock.GetUtcNow();
        // Everything the coupon accepted before now must be decided (or dead-lettered) first: a request still on its
        // way would otherwise look like a leak. Scoped to this coupon, so other coupons' traffic cannot hold it up.
        if (!await drain.WaitUntilDeliveredAsync(couponId, options.Value.DrainWait, ct))
        {
            return new(couponId, false, "pipeline not drained", 0, 0, 0);
        }

        var grace = options.Value.LeakGracePeriod > kafka.Value.DeliveryTimeout * 2 ? options.Value.LeakGracePeriod : kafka.Value.DeliveryTimeout * 2;
        // Request ids carry the moment they were accepted on Redis's clock (whichever instance accepted them): judged
        // on it too, and not at all for a grace period after a clock step (ids from either side of it disagree by its
        // size).
        var cutoff = sharedClock.SteppedWithin(grace) ? DateTimeOffset.MinValue : sharedClock.GetUtcNow() - grace;

        int leaked = 0, rejected = 0;
        await foreach (var page in gate.ScanAcceptedRequestsAsync(couponId, RequestLedger.PageSize).WithCancellation(ct))
        {
            var known = await ledger.ReadAsync(couponId, page, ct);
            foreach (var (requestId, userId) in page)
            {
                var status = known.Decided.GetValueOrDefault(requestId);
                var holdsThroughThisRequest = known.HeldThrough.Contains(requestId);
                var isLeak = status is null && !holdsThroughThisRequest && RequestIds.CreatedAt(requestId) < cutoff;
                if (status == RequestStatus.Issued || holdsThroughThisRequest || (status is null && !isLeak))
                {
                    continue;
                }

                Guid? holder = known.HolderRequestByUser.TryGetValue(userId, out var h) ? h : null;
                if (!await repair.ReturnUnitAsync(couponId, requestId, holder))
                {
                    continue;
                }

                if (isLeak)
                {
                    leaked++;
                }
                else
                {
                    rejected++;
                }
            }
        }

        var restored = 0;
        await foreach (var holders in ledger.ScanHoldersAsync(couponId, ct))
        {
            var counted = await gate.WhichAcceptedAsync(couponId, [.. holders.Select(h => h.RequestId)]);
            foreach (var holder in holders.Where(h => !counted.Contains(h.RequestId)))
            {
                // Held in the database but unknown to the gate (e.g. the gate lost data): make the gate count it.
                restored += await repair.RestoreHolderAsync(couponId, holder.UserId, holder.RequestId) ? 1 : 0;
            }
        }

        if (leaked + rejected + restored > 0)
        {
            metrics.ReconcileRepairs.Add(leaked, new KeyValuePair<string, object?>("kind", "leaked_unit_returned"));
            metrics.ReconcileRepairs.Add(rejected, new KeyValuePair<string, object?>("kind", "rejected_unit_returned"));
            metrics.ReconcileRepairs.Add(restored, new KeyValuePair<string, object?>("kind", "holder_restored"));
            Repaired(logger, couponId, leaked, rejected, restored);
        }

        _lastFullPass[couponId] = (startedAt, rejectedDecisions);
        return new(couponId, true, null, leaked, rejected, restored);
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning,
        Message = "Reconciled coupon {CouponId}: {Leaked} leaked units and {Rejected} rejected units returned, {Restored} holders restored")]
    private static partial void Repaired(ILogger logger, long couponId, int leaked, int rejected, int restored);
}
