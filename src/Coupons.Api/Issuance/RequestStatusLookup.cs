using Coupons.Consumer;
using Coupons.Gate;
using Coupons.Infrastructure.Redis;
using Coupons.Ledger;

namespace Coupons.Issuance;

/// <summary>Where a request stands and whose it is: PENDING / ISSUED / REJECTED, and the user it belongs to.</summary>
public sealed record RequestStatusFound(string Status, string? Reason, long UserId);

/// <summary>
/// The request was found nowhere, but could be in flight where nothing can see it now (its gate missing or Redis down):
/// ask again.
/// </summary>
public sealed class RequestStatusUnknownException() : Exception("the request may be in flight where it cannot be seen now");

/// <summary>
/// Finds one request of a coupon: decided in the database, or still in flight (counted by the gate, or parked).
/// A request of another coupon is not found under this one. "Not found" is said only when nothing can hide the request
/// (<see cref="InFlightWitness"/>); otherwise <see cref="RequestStatusUnknownException"/>.
/// </summary>
public sealed class RequestStatusLookup(IssueRequestStore store, GateInspector gate, ParkedRequests parked, InFlightWitness witness)
{
    /// <exception cref="System.Data.Common.DbException">The database cannot be reached.</exception>
    /// <exception cref="RequestStatusUnknownException">Not found, but it may be in flight where nothing can see it
    /// now.</exception>
    public async Task<RequestStatusFound?> FindAsync(long couponId, Guid requestId, CancellationToken ct)
    {
        if (await store.FindAsync(requestId, ct) is { } decided)
        {
            return decided.CouponId == couponId ? new(decided.Decision.Status, decided.Decision.Reason, decided.UserId) : null;
        }

        var redisDown = false;
        try
        {
            if (await gate.OwnerOfAsync(couponId, requestId) is { } owner)
            {
                return new(RequestStatus.Pending, null, owner);
            }
        }
        catch (Exception ex) when (RedisCircuit.IsUnavailable(ex))
        {
            redisDown = true; // the parked table may still know it
        }

        if (await parked.FindAsync(requestId, ct) is { } waiting)
        {
            return waiting.CouponId == couponId ? new(RequestStatus.Pending, null, waiting.UserId) : null;
        }

        try
        {
            // Without Redis, an accepted request still in Kafka is in no place we can read.
            return !redisDown && await witness.SeesAllInFlightAsync(couponId, ct) ? null : throw new RequestStatusUnknownException();
        }
        catch (Exception ex) when (RedisCircuit.IsUnavailable(ex))
        {
            throw new RequestStatusUnknownException();
        }
    }
}
