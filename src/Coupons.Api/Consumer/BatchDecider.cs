using Coupons.Ledger;
using Coupons.Requests;

namespace Coupons.Consumer;

/// <summary>A coupon's counter as read under its row lock.</summary>
public sealed record CouponStock
{
    public long Id { get; init; }

    public int TotalQuantity { get; init; }

    public int IssuedQuantity { get; init; }

    public int ValidityDays { get; init; }
}

/// <summary>
/// What one batch changes: a decision per request, the rows to insert, how far each coupon's counter moves, and the
/// messages that can never be applied (they go to the dead-letter topic with their reason, and are not decided).
/// </summary>
public sealed record BatchPlan(
    IReadOnlyList<IssueDecision> Decisions,
    IReadOnlyList<IssueRequested> NewRows,
    IReadOnlyDictionary<long, int> Increments,
    IReadOnlyList<UnappliableRequest> Unappliable);

/// <summary>A request the database decided earlier, with the coupon and user it was decided for.</summary>
public sealed record DecidedRequest(IssueDecision Decision, long CouponId, long UserId);

/// <summary>
/// Decides a batch in memory, in Kafka order, from what the database holds (read under the coupon rows' lock):
/// first come first served up to the total (design.md §2, I1), one coupon per user (I2), and a request already decided
/// keeps its decision however often Kafka delivers it (I5). A message that could only have been forged or corrupted (a
/// coupon or user the database does not have, a user under another publicId, a request id already used for another
/// coupon or user) is set aside for the dead-letter topic: retrying it would stall its partition for everyone behind it
/// (I7). Pure: no I/O, so every rule is unit-tested.
/// </summary>
public static class BatchDecider
{
    /// <param name="batch">The messages as read, in Kafka order; a request id may come more than once.</param>
    /// <param name="decided">Requests of the batch the database already decided.</param>
    /// <param name="coupons">The coupons the undecided requests name, as locked in the database.</param>
    /// <param name="users">The users the undecided requests name that exist: user id to the stored publicId.</param>
    /// <param name="holders">Who already holds each (coupon, user), by request id.</param>
    /// <returns> A decision per request id (first copy's position), old or new; the rows to insert; the counter moves;
    /// and every message set aside (a copy of a set-aside request is set aside too: each is a message in the topic).
    /// </returns>
    public static BatchPlan Decide(
        IReadOnlyList<IssueRequested> batch,
        IReadOnlyDictionary<Guid, DecidedRequest> decided,
        IReadOnlyDictionary<long, CouponStock> coupons,
        IReadOnlyDictionary<long, string> users,
        IReadOnlyDictionary<(long CouponId, long UserId), Guid> holders)
    {
        var decisions = new List<IssueDecision>(batch.Count);
        var newRows = new List<IssueRequested>();
        var increments = new Dictionary<long, int>();
        var unappliable = new List<UnappliableRequest>();
        var heldNow = new Dictionary<(long, long), Guid>(holders);
        var firstCopies = new Dictionary<Guid, (IssueRequested Request, UnappliableRequest? SetAside)>();
        foreach (var request in batch)
        {
            if (firstCopies.TryGetValue(request.RequestId, out var first))
            {
                // Another delivery of a request met earlier in this batch: it shares that fate, unless it differs.
                if (!SameRequest(first.Request, request))
                {
                    unappliable.Add(Conflict(request));
                }
                else if (first.SetAside is { } setAside)
                {
                    unappliable.Add(setAside with { Request = request });
                }

                continue;
            }

            var outcome = decided.TryGetValue(request.RequestId, out var old)
                ? Redelivered(request, old)
                : Unappliable(request, coupons, users) ?? (object)Decide(request, coupons[request.CouponId], heldNow, increments, newRows);
            firstCopies[request.RequestId] = (request, outcome as UnappliableRequest);
            switch (outcome)
            {
                case UnappliableRequest setAside:
                    unappliable.Add(setAside);
                    break;
                case IssueDecision decision:
                    decisions.Add(decision);
                    break;
            }
        }

        return new BatchPlan(decisions, newRows, increments, unappliable);
    }

    private static IssueDecision Decide(
        IssueRequested request, CouponStock coupon, Dictionary<(long, long), Guid> heldNow, Dictionary<long, int> increments, List<IssueRequested> newRows)
    {
        var key = (request.CouponId, request.UserId);
        if (heldNow.TryGetValue(key, out var holder))
        {
            return holder == request.RequestId
                ? new(request.RequestId, RequestStatus.Issued, null)
                : new(request.RequestId, RequestStatus.Rejected, RejectReason.Duplicate);
        }

        if (coupon.IssuedQuantity + increments.GetValueOrDefault(coupon.Id) >= coupon.TotalQuantity)
        {
            return new(request.RequestId, RequestStatus.Rejected, RejectReason.SoldOut);
        }

        increments[coupon.Id] = increments.GetValueOrDefault(coupon.Id) + 1;
        heldNow[key] = request.RequestId;
        newRows.Add(request);
        return new(request.RequestId, RequestStatus.Issued, null);
    }

    /// <summary>A request the database decided before keeps that decision, if it is the same request.</summary>
    private static object Redelivered(IssueRequested request, DecidedRequest old) =>
        old.CouponId == request.CouponId && old.UserId == request.UserId ? old.Decision : Conflict(request);

    private static UnappliableRequest? Unappliable(IssueRequested request, IReadOnlyDictionary<long, CouponStock> coupons, IReadOnlyDictionary<long, string> users)
    {
        if (!coupons.ContainsKey(request.CouponId))
        {
            return new(request, DeadLetterReason.UnknownCoupon, $"coupon {request.CouponId} does not exist");
        }

        if (!users.TryGetValue(request.UserId, out var publicId))
        {
            return new(request, DeadLetterReason.UnknownUser, $"user {request.UserId} does not exist");
        }

        // Stored ids may predate canonical (lower-case) storage; the column compares case-insensitively too.
        return string.Equals(publicId, request.PublicId, StringComparison.OrdinalIgnoreCase)
            ? null
            : new(request, DeadLetterReason.PublicIdMismatch, $"user {request.UserId} is not publicId '{request.PublicId}'");
    }

    private static bool SameRequest(IssueRequested a, IssueRequested b) =>
        a.CouponId == b.CouponId && a.UserId == b.UserId && string.Equals(a.PublicId, b.PublicId, StringComparison.OrdinalIgnoreCase);

    private static UnappliableRequest Conflict(IssueRequested request) =>
        new(request, DeadLetterReason.RequestIdConflict, $"request {request.RequestId} was already used for another coupon or user");
}
