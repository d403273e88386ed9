using Coupons.Gate;
using Coupons.Infrastructure.Redis;
using Coupons.Ledger;

namespace Coupons.Issuance;

/// <summary>Where a request stands and whose it is: PENDING / ISSUED / REJECTED, and the user it belongs to.</summary>
public sealed record RequestStatusFound(string Status, string? Reason, long UserId);

/// <summary>
/// Finds one request of a coupon: decided in the database, or still in flight (counted by the gate, or parked).
/// A request of another coupon is not found under this one.
/// </summary>
public sealed class RequestStatusLookup(IssueRequestStore store, GateInspector gate, ParkedRequests parked)
{
    /// <exception cref="System.Data.Common.DbException">The database cannot be reached.</exception>
    public async Task<RequestStatusFound?> FindAsync(long couponId, Guid requestId, CancellationToken ct)
    {
        if (await store.FindAsync(requestId, ct) is { } decided)
        {
            return decided.CouponId == couponId ? new(decided.Decision.Status, decided.Decision.Reason, decided.UserId) : null;
        }

        try
        {
            if (await gate.OwnerOfAsync(couponId, requestId) is { } owner)
            {
                return new(RequestStatus.Pending, null, owner);
            }
        }
        catch (Exception ex) when (RedisCircuit.IsUnavailable(ex))
        {
            // Fall through to the parked table; without Redis an in-flight request may read as not found for a moment.
        }

        return await parked.FindAsync(requestId, ct) is { } waiting && waiting.CouponId == couponId
            ? new(RequestStatus.Pending, null, waiting.UserId)
            : null;
    }
}
