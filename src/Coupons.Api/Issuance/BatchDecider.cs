namespace Coupons.Issuance;

/// <summary>A coupon's counter as read under its row lock.</summary>
public sealed record CouponStock
{
    public long Id { get; init; }

    public int TotalQuantity { get; init; }

    public int IssuedQuantity { get; init; }

    public int ValidityDays { get; init; }
}

/// <summary>What one batch changes: a decision per request, the rows to insert, how far each coupon's counter moves.</summary>
public sealed record BatchPlan(IReadOnlyList<IssueDecision> Decisions, IReadOnlyList<IssueRequested> NewRows, IReadOnlyDictionary<long, int> Increments);

/// <summary>
/// Decides a batch in memory, in Kafka order, from what the database holds (read under the coupon rows' lock):
/// first come first served up to the total (I1), one coupon per user (I2), and a request that already holds its
/// row is a replay that stays ISSUED without a second row (I5). Pure: no I/O, so every rule is unit-tested.
/// </summary>
public static class BatchDecider
{
    /// <param name="requests">Undecided requests, deduplicated by request id, in Kafka order.</param>
    /// <param name="coupons">The coupons they name, as locked in the database.</param>
    /// <param name="holders">Who already holds each (coupon, user), by request id.</param>
    public static BatchPlan Decide(
        IReadOnlyList<IssueRequested> requests,
        IReadOnlyDictionary<long, CouponStock> coupons,
        IReadOnlyDictionary<(long CouponId, long UserId), Guid> holders)
    {
        var decisions = new List<IssueDecision>(requests.Count);
        var newRows = new List<IssueRequested>();
        var increments = new Dictionary<long, int>();
        var heldNow = new Dictionary<(long, long), Guid>(holders);
        foreach (var request in requests)
        {
            var key = (request.CouponId, request.UserId);
            if (!coupons.TryGetValue(request.CouponId, out var coupon))
            {
                decisions.Add(new(request.RequestId, RequestStatus.Rejected, RejectReason.CouponNotFound));
            }
            else if (heldNow.TryGetValue(key, out var holder))
            {
                decisions.Add(holder == request.RequestId
                    ? new(request.RequestId, RequestStatus.Issued, null)
                    : new(request.RequestId, RequestStatus.Rejected, RejectReason.Duplicate));
            }
            else if (coupon.IssuedQuantity + increments.GetValueOrDefault(coupon.Id) < coupon.TotalQuantity)
            {
                increments[coupon.Id] = increments.GetValueOrDefault(coupon.Id) + 1;
                heldNow[key] = request.RequestId;
                newRows.Add(request);
                decisions.Add(new(request.RequestId, RequestStatus.Issued, null));
            }
            else
            {
                decisions.Add(new(request.RequestId, RequestStatus.Rejected, RejectReason.SoldOut));
            }
        }

        return new BatchPlan(decisions, newRows, increments);
    }
}
