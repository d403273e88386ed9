using Coupons.Catalog;
using Coupons.Issuance;
using Coupons.Reconciliation;

namespace Coupons.Admin;

public sealed record DatabaseView(int IssuedQuantity, long UserCouponRows, long IssuedRequests, long RejectedRequests);

public sealed record RedisView(bool GateOpen, long? RemainingStock, long AcceptedRequests);

/// <summary>
/// One coupon seen from Redis, the database and the pipeline between them. <c>Consistent</c> means: nothing in
/// flight, every request Redis accepted is issued in the database, and Redis's stock plus the database's
/// issued rows add up to the total.
/// </summary>
public sealed record ConsistencyReportView(
    long CouponId,
    int TotalQuantity,
    DatabaseView Database,
    RedisView Redis,
    long InFlight,
    long Parked,
    bool Consistent,
    IReadOnlyList<string> Problems);

/// <summary>Redis vs database vs in flight for one coupon; reads the gate and the database a page at a time.</summary>
public sealed class ConsistencyReporter(RequestFates fates, CouponRepository coupons, IssuanceGate gate, ParkedRequests parked)
{
    public async Task<ConsistencyReportView?> ReportAsync(long couponId, CancellationToken ct)
    {
        var coupon = await coupons.FindAsync(couponId, ct);
        if (coupon is null)
        {
            return null;
        }

        var state = await gate.ReadStateAsync(couponId);
        var (rows, rejectedRequests) = await fates.CountAsync(couponId, ct);

        // In flight: accepted by the gate, and the database has neither a decision nor a row for it yet.
        long inFlight = 0, acceptedRejected = 0;
        await foreach (var page in gate.ScanAcceptedRequestsAsync(couponId, RequestFates.PageSize).WithCancellation(ct))
        {
            var known = await fates.ReadAsync(couponId, page, ct);
            inFlight += page.Count(p => !known.Decided.ContainsKey(p.RequestId) && !known.HeldThrough.Contains(p.RequestId));
            acceptedRejected += page.Count(p => known.Decided.GetValueOrDefault(p.RequestId) == RequestStatus.Rejected);
        }

        var database = new DatabaseView(coupon.IssuedQuantity, rows, IssuedRequests: rows, rejectedRequests);
        var redis = new RedisView(state.Open, state.RemainingStock, state.AcceptedRequests);

        var problems = new List<string>();
        if (inFlight > 0)
        {
            problems.Add($"{inFlight} accepted requests not yet decided by the database");
        }

        if (acceptedRejected > 0)
        {
            problems.Add($"{acceptedRejected} requests accepted by Redis were rejected by the database");
        }

        if (rows != coupon.IssuedQuantity)
        {
            problems.Add($"user_coupons has {rows} rows but issued_quantity is {coupon.IssuedQuantity}");
        }

        if (rows > coupon.TotalQuantity)
        {
            problems.Add($"over-issued: {rows} rows for a total of {coupon.TotalQuantity}");
        }

        if (state.Open && state.RemainingStock + rows + inFlight != coupon.TotalQuantity)
        {
            problems.Add($"Redis stock {state.RemainingStock} + issued {rows} + in flight {inFlight} != total {coupon.TotalQuantity}");
        }

        var parkedCount = await parked.CountAsync(couponId, ct);
        return new ConsistencyReportView(couponId, coupon.TotalQuantity, database, redis, inFlight, parkedCount, problems.Count == 0, problems);
    }
}
