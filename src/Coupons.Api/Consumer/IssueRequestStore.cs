using System.Data.Common;
using System.Diagnostics;
using Coupons.Infrastructure.Database;
using Coupons.Ledger;
using Coupons.Ops;
using Coupons.Outbox;
using Coupons.Requests;
using Dapper;

namespace Coupons.Consumer;

/// <summary>
/// What a batch write did: the decisions (in batch order), and the messages set aside as unappliable.
/// </summary>
public sealed record BatchResult(IReadOnlyList<IssueDecision> Decisions, IReadOnlyList<UnappliableRequest> Unappliable);

/// <summary>
/// Writes accepted requests to the database, the final arbiter, a whole batch per transaction with a handful of
/// set-based statements: lock the batch's coupon rows, read what is already decided and who already holds what,
/// decide in memory (<see cref="BatchDecider"/>), then insert the rows and decisions and move each counter once.
/// unique (user_id, coupon_id), unique request_id and the counter's guard stay as the last line of defence:
/// if anything disagrees the transaction fails and the batch is retried from fresh reads. Messages that can never be
/// applied (unknown coupon or user, a publicId that is not the user's) are left out and handed back for the
/// dead-letter topic, so a forged message cannot stall the requests that share its batch.
/// </summary>
public sealed class IssueRequestStore(IDbConnectionFactory connections, TimeProvider clock)
{
    private const int RowsPerStatement = 500;

    /// <param name="batch">Requests in Kafka order; a request id seen twice is applied once.</param>
    /// <param name="parents">Optional trace context of each request (same order), so its database write joins the
    /// click's trace.</param>
    /// <returns>A decision per request in <paramref name="batch"/> order (each request id once), except the unappliable
    /// ones.</returns>
    public async Task<BatchResult> ApplyBatchAsync(IReadOnlyList<IssueRequested> batch, CancellationToken ct, IReadOnlyList<ActivityContext>? parents = null)
    {
        var started = clock.GetUtcNow();
        var unique = batch.Select((r, i) => (Request: r, Parent: parents?[i] ?? default)).DistinctBy(x => x.Request.RequestId).ToList();
        var requests = unique.Select(x => x.Request).ToList();

        await using var connection = await connections.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var coupons = await LockCouponsAsync(connection, tx, requests.Select(r => r.CouponId).Distinct().ToList(), ct);
        var decided = await ReadDecidedAsync(connection, tx, requests.Select(r => r.RequestId).ToList(), ct);
        var pending = requests.Where(r => !decided.ContainsKey(r.RequestId)).ToList();
        var users = await ReadUsersAsync(connection, tx, pending, ct);
        var holders = await ReadHoldersAsync(connection, tx, pending, ct);

        var plan = BatchDecider.Decide(batch, decided, coupons, users, holders);
        var now = clock.GetUtcNow().UtcDateTime;
        DateTime ExpiresAt(IssueRequested row) => now.AddDays(coupons[row.CouponId].ValidityDays);
        await MultiRowInsert.RunAsync(connection, tx, "user_coupons", ["user_id", "coupon_id", "status", "issued_at", "expires_at", "request_id"],
            plan.NewRows.Select(r => new object?[] { r.UserId, r.CouponId, UserCouponStatus.Unused, now, ExpiresAt(r), r.RequestId.ToString() }), ct);
        // coupon.issued, in the same transaction: published by the outbox relay if and only if the row was committed.
        await OutboxWriter.AppendAsync(connection, tx, plan.NewRows.Select(r => new ShopEvent(
            Guid.CreateVersion7(), ShopEventTypes.Issued, now, Ids.Canonical(users[r.UserId]), r.CouponId, RequestId: r.RequestId, ExpiresAt: ExpiresAt(r))), now, ct);
        foreach (var (couponId, count) in plan.Increments)
        {
            var moved = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE coupons SET issued_quantity = issued_quantity + @count WHERE id = @couponId AND issued_quantity + @count <= total_quantity",
                new { couponId, count }, tx, cancellationToken: ct));
            if (moved != 1)
            {
                throw new System.Data.DBConcurrencyException($"coupon {couponId} changed under the batch's lock; the batch is retried");
            }
        }

        var byId = requests.ToDictionary(r => r.RequestId);
        // An issued request's fate is its user_coupons row; only new refusals get a row here (half the writes per
        // batch).
        await MultiRowInsert.RunAsync(connection, tx, "issue_requests", ["request_id", "coupon_id", "user_id", "status", "reason", "requested_at", "decided_at"],
            plan.Decisions.Where(d => d.Status != RequestStatus.Issued && !decided.ContainsKey(d.RequestId)).Select(d => new object[]
            {
                d.RequestId.ToString(), byId[d.RequestId].CouponId, byId[d.RequestId].UserId, d.Status, d.Reason!, byId[d.RequestId].RequestedAt.UtcDateTime, now,
            }), ct);
        await tx.CommitAsync(ct);

        TraceWrites(unique, plan.Decisions, decided, started);
        return new BatchResult(plan.Decisions, plan.Unappliable);
    }

    /// <summary>
    /// The database's decision on a request, with the coupon and user it was decided for; null while undecided.
    /// </summary>
    public async Task<DecidedRequest?> FindAsync(Guid requestId, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        var row = (await connection.QueryAsync<StatusRow>(new CommandDefinition(
            RequestLedger.DecisionsOf("@ids"), new { ids = new[] { requestId.ToString() } }, cancellationToken: ct))).FirstOrDefault(r => r.Status != RequestStatus.Pending);
        return row is null ? null : new DecidedRequest(new IssueDecision(requestId, row.Status, row.Reason), row.CouponId, row.UserId);
    }

    /// <summary>
    /// The database's decisions on any number of requests (500 per query), keyed by request id; undecided ones are
    /// absent.
    /// </summary>
    public async Task<Dictionary<Guid, DecidedRequest>> FindManyAsync(IReadOnlyCollection<Guid> requestIds, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        return await ReadDecidedAsync(connection, null, requestIds, ct);
    }

    private async Task<Dictionary<long, CouponStock>> LockCouponsAsync(DbConnection connection, DbTransaction tx, List<long> ids, CancellationToken ct)
    {
        // FOR UPDATE serialises batches of the same coupon across consumer instances (SQLite has one writer anyway).
        var forUpdate = connections.Dialect.ForUpdate;
        var rows = await connection.QueryAsync<CouponStock>(new CommandDefinition(
            "SELECT id, total_quantity, issued_quantity, validity_days FROM coupons WHERE id IN @ids ORDER BY id" + forUpdate,
            new { ids }, tx, cancellationToken: ct));
        return rows.ToDictionary(c => c.Id);
    }

    private static async Task<Dictionary<Guid, DecidedRequest>> ReadDecidedAsync(DbConnection connection, DbTransaction? tx, IReadOnlyCollection<Guid> requestIds, CancellationToken ct)
    {
        var decided = new Dictionary<Guid, DecidedRequest>();
        foreach (var chunk in requestIds.Chunk(RowsPerStatement))
        {
            var rows = await connection.QueryAsync<StatusRow>(new CommandDefinition(
                RequestLedger.DecisionsOf("@ids"),
                new { ids = chunk.Select(id => id.ToString()).ToList() }, tx, cancellationToken: ct));
            foreach (var row in rows.Where(r => r.Status != RequestStatus.Pending))
            {
                var id = Guid.Parse(row.RequestId);
                decided[id] = new DecidedRequest(new IssueDecision(id, row.Status, row.Reason), row.CouponId, row.UserId);
            }
        }

        return decided;
    }

    /// <summary>The users the requests name that exist, with their stored publicId.</summary>
    private static async Task<Dictionary<long, string>> ReadUsersAsync(DbConnection connection, DbTransaction tx, List<IssueRequested> pending, CancellationToken ct)
    {
        var users = new Dictionary<long, string>();
        foreach (var chunk in pending.Select(r => r.UserId).Distinct().Chunk(RowsPerStatement))
        {
            foreach (var (id, publicId) in await connection.QueryAsync<(long, string)>(new CommandDefinition(
                         "SELECT id, public_id FROM users WHERE id IN @ids", new { ids = chunk }, tx, cancellationToken: ct)))
            {
                users[id] = publicId;
            }
        }

        return users;
    }

    private static async Task<Dictionary<(long, long), Guid>> ReadHoldersAsync(DbConnection connection, DbTransaction tx, List<IssueRequested> pending, CancellationToken ct)
    {
        var holders = new Dictionary<(long, long), Guid>();
        foreach (var coupon in pending.GroupBy(r => r.CouponId))
        {
            foreach (var chunk in coupon.Select(r => r.UserId).Distinct().Chunk(RowsPerStatement))
            {
                var rows = await connection.QueryAsync<HolderRow>(new CommandDefinition(
                    "SELECT user_id, request_id FROM user_coupons WHERE coupon_id = @couponId AND user_id IN @users",
                    new { couponId = coupon.Key, users = chunk }, tx, cancellationToken: ct));
                foreach (var row in rows)
                {
                    holders[(coupon.Key, row.UserId)] = Guid.Parse(row.RequestId);
                }
            }
        }

        return holders;
    }

    private static void TraceWrites(
        List<(IssueRequested Request, ActivityContext Parent)> requests, IReadOnlyList<IssueDecision> decisions, Dictionary<Guid, DecidedRequest> decidedBefore, DateTimeOffset started)
    {
        if (!CouponTracing.Source.HasListeners())
        {
            return;
        }

        var byId = decisions.ToDictionary(d => d.RequestId);
        foreach (var (request, parent) in requests.Where(r => byId.ContainsKey(r.Request.RequestId)))
        {
            // One span per request, in the click's trace, covering the batch transaction that wrote it.
            using var span = CouponTracing.Source.StartActivity("coupon.persist", ActivityKind.Consumer, parent, startTime: started);
            span?.SetTag("coupon.request.id", request.RequestId.ToString());
            span?.SetTag("coupon.request.status", byId[request.RequestId].Status);
            // Kafka delivers at least once: a request decided by an earlier delivery is read, not written again.
            span?.SetTag("coupon.request.redelivered", decidedBefore.ContainsKey(request.RequestId));
        }
    }

    private sealed class StatusRow
    {
        public string RequestId { get; init; } = "";

        public string Status { get; init; } = "";

        public string? Reason { get; init; }

        public long CouponId { get; init; }

        public long UserId { get; init; }
    }

    private sealed class HolderRow
    {
        public long UserId { get; init; }

        public string RequestId { get; init; } = "";
    }
}
