using Coupons.Catalog;
using Coupons.Infrastructure.Database;
using Coupons.Issuance;
using Dapper;

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

public sealed class ConsistencyReporter(IDbConnectionFactory connections, CouponRepository coupons, IssuanceGate gate, ParkedRequests parked)
{
    public async Task<ConsistencyReportView?> ReportAsync(long couponId, CancellationToken ct)
    {
        var coupon = await coupons.FindAsync(couponId, ct);
        if (coupon is null)
        {
            return null;
        }

        var state = await gate.ReadStateAsync(couponId);
        var accepted = (await gate.ReadAcceptedRequestsAsync(couponId)).Keys;

        await using var connection = await connections.OpenAsync(ct);
        var decided = (await connection.QueryAsync<DecidedRow>(new CommandDefinition(
            "SELECT request_id, status FROM issue_requests WHERE coupon_id = @couponId", new { couponId }, cancellationToken: ct)))
            .ToDictionary(r => Guid.Parse(r.RequestId), r => r.Status);

        var holding = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT request_id FROM user_coupons WHERE coupon_id = @couponId", new { couponId }, cancellationToken: ct))).Select(Guid.Parse).ToHashSet();

        // In flight: accepted by the gate, and the database has neither a decision nor a row for it yet.
        var inFlight = accepted.Count(id => !decided.ContainsKey(id) && !holding.Contains(id));
        long rows = holding.Count;
        var acceptedRejected = accepted.Count(id => decided.TryGetValue(id, out var s) && s == RequestStatus.Rejected);
        var database = new DatabaseView(
            coupon.IssuedQuantity, rows,
            decided.Values.Count(s => s == RequestStatus.Issued),
            decided.Values.Count(s => s == RequestStatus.Rejected));
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

    private sealed class DecidedRow
    {
        public string RequestId { get; init; } = "";

        public string Status { get; init; } = "";
    }
}
