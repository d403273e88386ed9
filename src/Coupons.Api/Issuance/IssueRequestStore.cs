using System.Data.Common;
using System.Diagnostics;
using Coupons.Infrastructure.Database;
using Coupons.Ops;
using Dapper;

namespace Coupons.Issuance;

/// <summary>
/// Writes accepted requests to the database, the final arbiter. Per request, in one transaction per batch:
/// the user_coupons insert is guarded by unique (user_id, coupon_id) and unique request_id (I2, I5), and the
/// stock counter only moves when <c>issued_quantity &lt; total_quantity</c> (I1). A request already decided is
/// skipped, so Kafka redelivery and replays change nothing.
/// </summary>
public sealed class IssueRequestStore(IDbConnectionFactory connections, TimeProvider clock)
{
    /// <param name="batch">Requests in Kafka order; a request id seen twice is applied once.</param>
    /// <param name="parents">Optional trace context of each request (same order), so its database write joins the click's trace.</param>
    public async Task<IReadOnlyList<IssueDecision>> ApplyBatchAsync(IReadOnlyList<IssueRequested> batch, CancellationToken ct, IReadOnlyList<ActivityContext>? parents = null)
    {
        var decisions = new List<IssueDecision>(batch.Count);
        var seen = new HashSet<Guid>();
        var spans = new List<Activity>();
        await using var connection = await connections.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        try
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var request = batch[i];
                if (!seen.Add(request.RequestId))
                {
                    continue;
                }

                var span = CouponTracing.Source.StartActivity("coupon.persist", ActivityKind.Consumer, parents?[i] ?? default);
                var decision = await ApplyAsync(connection, tx, request, now, ct);
                if (span is not null)
                {
                    span.SetTag("coupon.request.id", request.RequestId.ToString());
                    span.SetTag("coupon.request.status", decision.Status);
                    span.Stop();
                    spans.Add(span);
                }

                decisions.Add(decision);
            }

            await tx.CommitAsync(ct);
        }
        finally
        {
            foreach (var span in spans)
            {
                span.Dispose();
            }
        }

        return decisions;
    }

    private async Task<IssueDecision> ApplyAsync(DbConnection connection, DbTransaction tx, IssueRequested r, DateTime now, CancellationToken ct)
    {
        var id = r.RequestId.ToString();
        var existing = await connection.QuerySingleOrDefaultAsync<StatusRow>(new CommandDefinition(
            "SELECT status, reason FROM issue_requests WHERE request_id = @id", new { id }, tx, cancellationToken: ct));
        if (existing is not null && existing.Status != RequestStatus.Pending)
        {
            return new IssueDecision(r.RequestId, existing.Status, existing.Reason);
        }

        var validityDays = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT validity_days FROM coupons WHERE id = @CouponId", new { r.CouponId }, tx, cancellationToken: ct));
        var (status, reason) = validityDays is null
            ? (RequestStatus.Rejected, RejectReason.CouponNotFound)
            : await IssueAsync(connection, tx, r, id, now, now.AddDays(validityDays.Value), ct);

        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            {connections.Dialect.InsertIgnore} INTO issue_requests (request_id, coupon_id, user_id, status, reason, requested_at, decided_at)
            VALUES (@id, @CouponId, @UserId, @status, @reason, @requestedAt, @now)
            """,
            new { id, r.CouponId, r.UserId, status, reason, requestedAt = r.RequestedAt.UtcDateTime, now }, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE issue_requests SET status = @status, reason = @reason, decided_at = @now WHERE request_id = @id AND status = 'PENDING'",
            new { id, status, reason, now }, tx, cancellationToken: ct));
        return new IssueDecision(r.RequestId, status, reason);
    }

    private async Task<(string Status, string? Reason)> IssueAsync(
        DbConnection connection, DbTransaction tx, IssueRequested r, string id, DateTime now, DateTime expiresAt, CancellationToken ct)
    {
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            $"""
            {connections.Dialect.InsertIgnore} INTO user_coupons (user_id, coupon_id, status, issued_at, expires_at, request_id)
            VALUES (@UserId, @CouponId, 'UNUSED', @now, @expiresAt, @id)
            """,
            new { r.UserId, r.CouponId, now, expiresAt, id }, tx, cancellationToken: ct));
        if (inserted == 0)
        {
            // Either this very request was written before (a replay: it stays ISSUED) or the user holds the coupon already.
            var holder = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT request_id FROM user_coupons WHERE user_id = @UserId AND coupon_id = @CouponId",
                new { r.UserId, r.CouponId }, tx, cancellationToken: ct));
            return holder == id ? (RequestStatus.Issued, null) : (RequestStatus.Rejected, RejectReason.Duplicate);
        }

        var counted = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE coupons SET issued_quantity = issued_quantity + 1 WHERE id = @CouponId AND issued_quantity < total_quantity",
            new { r.CouponId }, tx, cancellationToken: ct));
        if (counted == 1)
        {
            return (RequestStatus.Issued, null);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM user_coupons WHERE request_id = @id", new { id }, tx, cancellationToken: ct));
        return (RequestStatus.Rejected, RejectReason.SoldOut);
    }

    public async Task<IssueDecision?> FindAsync(Guid requestId, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<StatusRow>(new CommandDefinition(
            "SELECT status, reason FROM issue_requests WHERE request_id = @id", new { id = requestId.ToString() }, cancellationToken: ct));
        return row is null ? null : new IssueDecision(requestId, row.Status, row.Reason);
    }

    private sealed class StatusRow
    {
        public string Status { get; init; } = "";

        public string? Reason { get; init; }
    }
}
