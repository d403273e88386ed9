using Coupons.Infrastructure.Database;
using Coupons.Requests;
using Dapper;

namespace Coupons.Issuance;

/// <summary>
/// Durable holding area for requests whose Kafka delivery was ambiguous. A parked request was answered 202,
/// so it must reach Kafka eventually: <see cref="ParkedRequestRelayLoop"/> republishes it, and the consumer's
/// idempotency makes a second copy harmless.
/// </summary>
public sealed class ParkedRequests(IDbConnectionFactory connections, TimeProvider clock)
{
    public async Task ParkAsync(IssueRequested request, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            $"{connections.Dialect.InsertIgnore} INTO parked_requests (request_id, coupon_id, payload, parked_at, attempts) VALUES (@id, @couponId, @payload, @now, 0)",
            new { id = request.RequestId.ToString(), couponId = request.CouponId, payload = System.Text.Encoding.UTF8.GetString(request.ToBytes()), now = clock.GetUtcNow().UtcDateTime },
            cancellationToken: ct));
    }

    /// <summary>The oldest parked rows, each with its request or why it cannot be read (never an exception for one
    /// row).</summary>
    public async Task<IReadOnlyList<ParkedRow>> TakeBatchAsync(int max, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        var rows = await connection.QueryAsync<(string RequestId, string Payload)>(new CommandDefinition(
            "SELECT request_id, payload FROM parked_requests ORDER BY parked_at LIMIT @max", new { max }, cancellationToken: ct));
        return [.. rows.Select(row => ParkedRow.Read(row.RequestId, row.Payload))];
    }

    public Task RemoveAsync(Guid requestId, CancellationToken ct) => RemoveAsync(requestId.ToString(), ct);

    /// <summary>By the row's own id, as stored: an unreadable row's id need not be a request id.</summary>
    public async Task RemoveAsync(string requestId, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM parked_requests WHERE request_id = @id", new { id = requestId }, cancellationToken: ct));
    }

    /// <summary>The parked request with this id, or null.</summary>
    public async Task<IssueRequested?> FindAsync(Guid requestId, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        var payload = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT payload FROM parked_requests WHERE request_id = @id", new { id = requestId.ToString() }, cancellationToken: ct));
        return payload is null ? null : ParkedRow.Read(requestId.ToString(), payload).Request;
    }

    public async Task<long> CountAllAsync(CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM parked_requests", cancellationToken: ct));
    }

    public async Task<long> CountAsync(long couponId, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM parked_requests WHERE coupon_id = @couponId", new { couponId }, cancellationToken: ct));
    }

    /// <summary>
    /// The coupons that have at least one parked request (one query, however many coupons are asked about).
    /// </summary>
    public async Task<IReadOnlySet<long>> CouponsWithParkedAsync(CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        var ids = await connection.QueryAsync<long>(new CommandDefinition("SELECT DISTINCT coupon_id FROM parked_requests", cancellationToken: ct));
        return ids.ToHashSet();
    }
}

/// <summary>A parked row as stored: its request, or (<see cref="Request"/> null) the dead-letter reason and error that
/// say why it cannot be read.</summary>
public sealed record ParkedRow(string RequestId, string Payload, IssueRequested? Request, string? Reason, string? Error)
{
    public static ParkedRow Read(string requestId, string payload)
    {
        try
        {
            return new ParkedRow(requestId, payload, IssueRequested.Parse(System.Text.Encoding.UTF8.GetBytes(payload)), null, null);
        }
        catch (UnreadableMessageException ex)
        {
            return new ParkedRow(requestId, payload, null, ex.Reason, ex.Message);
        }
    }
}
