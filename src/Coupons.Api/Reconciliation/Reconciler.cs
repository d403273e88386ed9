using Coupons.Infrastructure.Database;
using Coupons.Issuance;
using Dapper;
using Microsoft.Extensions.Options;

namespace Coupons.Reconciliation;

public sealed record ReconcileResult(long CouponId, bool Ran, string? SkippedBecause, int ReturnedLeaked, int ReturnedRejected, int HoldersRestored);

/// <summary>
/// Repairs drift between the Redis gate and the database for one coupon (SPEC I4): units taken by requests the
/// database will never issue go back to the gate: requests the database rejected, and requests that never
/// entered the pipeline (no decision, not parked, older than the grace period, pipeline drained). Users who
/// hold the coupon in the database but are unknown to the gate are put back in it.
/// </summary>
public sealed partial class Reconciler(
    IDbConnectionFactory connections,
    IssuanceGate gate,
    PipelineDrain drain,
    IOptions<ReconciliationOptions> options,
    IOptions<Infrastructure.Kafka.KafkaOptions> kafka,
    Ops.CouponMetrics metrics,
    TimeProvider clock,
    ILogger<Reconciler> logger)
{
    public async Task<ReconcileResult> ReconcileAsync(long couponId, CancellationToken ct)
    {
        if (!await gate.IsOpenAsync(couponId))
        {
            return new(couponId, false, "gate not open", 0, 0, 0);
        }

        if (!await drain.IsDrainedAsync(ct))
        {
            return new(couponId, false, "pipeline not drained", 0, 0, 0);
        }

        var accepted = await gate.ReadAcceptedRequestsAsync(couponId);
        var (decided, holders) = await ReadDatabaseAsync(couponId, ct);
        var grace = options.Value.LeakGracePeriod > kafka.Value.DeliveryTimeout * 2 ? options.Value.LeakGracePeriod : kafka.Value.DeliveryTimeout * 2;
        var cutoff = clock.GetUtcNow() - grace;

        int leaked = 0, rejected = 0;
        foreach (var (requestId, publicId) in accepted)
        {
            var status = decided.GetValueOrDefault(requestId);
            var holdsThroughThisRequest = holders.TryGetValue(publicId, out var holding) && holding == requestId;
            var isLeak = status is null && !holdsThroughThisRequest && RequestIds.CreatedAt(requestId) < cutoff;
            if (status == RequestStatus.Issued || holdsThroughThisRequest || (status is null && !isLeak))
            {
                continue;
            }

            Guid? holder = holders.TryGetValue(publicId, out var h) ? h : null;
            if (!await gate.ReturnUnitAsync(couponId, publicId, requestId, holder))
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

        var restored = 0;
        foreach (var (publicId, holderRequest) in holders.Where(h => !accepted.ContainsKey(h.Value)))
        {
            // Held in the database but unknown to the gate (e.g. the gate lost data): make the gate count it.
            restored += await gate.RestoreHolderAsync(couponId, publicId, holderRequest) ? 1 : 0;
        }

        if (leaked + rejected + restored > 0)
        {
            metrics.ReconcileRepairs.Add(leaked, new KeyValuePair<string, object?>("kind", "leaked_unit_returned"));
            metrics.ReconcileRepairs.Add(rejected, new KeyValuePair<string, object?>("kind", "rejected_unit_returned"));
            metrics.ReconcileRepairs.Add(restored, new KeyValuePair<string, object?>("kind", "holder_restored"));
            Repaired(logger, couponId, leaked, rejected, restored);
        }

        return new(couponId, true, null, leaked, rejected, restored);
    }

    private async Task<(Dictionary<Guid, string> Decided, Dictionary<string, Guid> Holders)> ReadDatabaseAsync(long couponId, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        var decided = (await connection.QueryAsync<DecisionRow>(new CommandDefinition(
                "SELECT request_id, status FROM issue_requests WHERE coupon_id = @couponId", new { couponId }, cancellationToken: ct)))
            .ToDictionary(r => Guid.Parse(r.RequestId), r => r.Status);
        var holders = (await connection.QueryAsync<HolderRow>(new CommandDefinition(
                "SELECT u.public_id, uc.request_id FROM user_coupons uc JOIN users u ON u.id = uc.user_id WHERE uc.coupon_id = @couponId",
                new { couponId }, cancellationToken: ct)))
            .ToDictionary(r => r.PublicId, r => Guid.Parse(r.RequestId));
        return (decided, holders);
    }

    private sealed class DecisionRow
    {
        public string RequestId { get; init; } = "";

        public string Status { get; init; } = "";
    }

    private sealed class HolderRow
    {
        public string PublicId { get; init; } = "";

        public string RequestId { get; init; } = "";
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning,
        Message = "Reconciled coupon {CouponId}: {Leaked} leaked units and {Rejected} rejected units returned, {Restored} holders restored")]
    private static partial void Repaired(ILogger logger, long couponId, int leaked, int rejected, int restored);
}
