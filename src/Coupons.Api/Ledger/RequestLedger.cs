using Coupons.Infrastructure.Database;
using Dapper;

namespace Coupons.Ledger;

/// <summary>What the database knows about a page of requests the gate accepted for one coupon.</summary>
public sealed record PageFates(IReadOnlyDictionary<Guid, string> Decided, IReadOnlyDictionary<long, Guid> HolderRequestByUser, IReadOnlySet<Guid> HeldThrough);

/// <summary>A holder row of a coupon: the user's id and the request that issued it.</summary>
public sealed record Holder(long RowId, long UserId, Guid RequestId);

/// <summary>
/// What happened to a request, as the database records it: the one home of that SQL. An issued request's fate is its
/// user_coupons row; a refused one's an issue_requests row. Used by the consumer's store (redeliveries), the status
/// lookup, the reconciler and the consistency report; audits read a page at a time, since a whole coupon's requests
/// can run to hundreds of thousands.
/// </summary>
public sealed class RequestLedger(IDbConnectionFactory connections)
{
    public const int PageSize = 1_000;

    /// <summary>
    /// The decisions of the requests in the Dapper list parameter <paramref name="idsParameter"/>: ISSUED is a
    /// user_coupons row carrying the request id, anything else an issue_requests row. Rows written before issued
    /// requests stopped getting an issue_requests row read as ISSUED either way. Columns: request_id, status, reason,
    /// coupon_id, user_id.
    /// </summary>
    public static string DecisionsOf(string idsParameter) =>
        $"SELECT request_id, '{RequestStatus.Issued}' AS status, NULL AS reason, coupon_id, user_id FROM user_coupons WHERE request_id IN {idsParameter} " +
        $"UNION ALL SELECT request_id, status, reason, coupon_id, user_id FROM issue_requests WHERE request_id IN {idsParameter}";

    /// <summary>
    /// Decisions of these requests, and who among their users holds the coupon, through which request.
    /// </summary>
    public async Task<PageFates> ReadAsync(long couponId, IReadOnlyList<(Guid RequestId, long UserId)> page, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        var ids = page.Select(p => p.RequestId.ToString()).ToList();
        var decided = new Dictionary<Guid, string>();
        foreach (var (requestId, status, _, _, _) in await connection.QueryAsync<(string, string, string?, long, long)>(new CommandDefinition(
                     DecisionsOf("@ids"), new { ids }, cancellationToken: ct)))
        {
            if (status != RequestStatus.Pending)
            {
                decided[Guid.Parse(requestId)] = status;
            }
        }

        var users = page.Select(p => p.UserId).Distinct().ToList();
        var holders = (await connection.QueryAsync<(long UserId, string RequestId)>(new CommandDefinition(
                "SELECT user_id, request_id FROM user_coupons WHERE coupon_id = @couponId AND user_id IN @users", new { couponId, users }, cancellationToken: ct)))
            .ToDictionary(r => r.UserId, r => Guid.Parse(r.RequestId));
        var heldThrough = page.Where(p => holders.TryGetValue(p.UserId, out var through) && through == p.RequestId).Select(p => p.RequestId).ToHashSet();
        return new PageFates(decided, holders, heldThrough);
    }

    /// <summary>Every holder row of the coupon, a page at a time in row order (keyset pagination).</summary>
    public async IAsyncEnumerable<IReadOnlyList<Holder>> ScanHoldersAsync(long couponId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        long after = 0;
        while (true)
        {
            List<Holder> page;
            await using (var connection = await connections.OpenAsync(ct))
            {
                page = (await connection.QueryAsync<(long RowId, long UserId, string RequestId)>(new CommandDefinition(
                        "SELECT id, user_id, request_id FROM user_coupons WHERE coupon_id = @couponId AND id > @after ORDER BY id LIMIT " + PageSize,
                        new { couponId, after }, cancellationToken: ct)))
                    .Select(r => new Holder(r.RowId, r.UserId, Guid.Parse(r.RequestId)))
                    .ToList();
            }

            if (page.Count == 0)
            {
                yield break;
            }

            yield return page;
            after = page[^1].RowId;
        }
    }

    /// <summary>
    /// How many hold the coupon (its rows, which are also its issued requests) and how many were refused.
    /// </summary>
    public async Task<(long Holders, long Rejected)> CountAsync(long couponId, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        return await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(
            "SELECT (SELECT COUNT(*) FROM user_coupons WHERE coupon_id = @couponId), " +
            "(SELECT COUNT(*) FROM issue_requests WHERE coupon_id = @couponId AND status = @rejected)",
            new { couponId, rejected = RequestStatus.Rejected }, cancellationToken: ct));
    }
}
