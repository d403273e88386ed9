using Coupons.Infrastructure.Database;
using Dapper;

namespace Coupons.Admin;

/// <summary>The <c>admin_audit</c> table: every authenticated admin call, written after it is answered.</summary>
public sealed class AdminAuditLog(IDbConnectionFactory connections)
{
    public const int MaxListed = 1000;

    public async Task RecordAsync(AdminAuditEntry entry, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO admin_audit (at, actor, action, coupon_id, client, status)
            VALUES (@At, @Actor, @Action, @CouponId, @Client, @Status)
            """, entry, cancellationToken: ct));
    }

    /// <summary>Newest first; each filter given narrows it (one coupon, one actor, one client address).</summary>
    public async Task<IReadOnlyList<AdminAuditEntry>> ListAsync(int max, AuditFilter filter, CancellationToken ct)
    {
        var conditions = new List<string>();
        if (filter.CouponId is not null)
        {
            conditions.Add("coupon_id = @CouponId");
        }

        if (filter.Actor is not null)
        {
            conditions.Add("actor = @Actor");
        }

        if (filter.Client is not null)
        {
            conditions.Add("client = @Client");
        }

        var where = conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions);
        await using var connection = await connections.OpenAsync(ct);
        var rows = await connection.QueryAsync<AdminAuditEntry>(new CommandDefinition(
            $"SELECT id, at, actor, action, coupon_id, client, status FROM admin_audit {where} ORDER BY id DESC LIMIT @max",
            new { max, filter.CouponId, filter.Actor, filter.Client }, cancellationToken: ct));
        return [.. rows.Select(r => r with { At = DateTime.SpecifyKind(r.At, DateTimeKind.Utc) })];
    }
}

public sealed record AuditFilter(long? CouponId = null, string? Actor = null, string? Client = null);

/// <summary>Endpoint metadata: calls of this endpoint are recorded in the admin audit.</summary>
public sealed class AdminAudited
{
    public static readonly AdminAudited Instance = new();
}

/// <summary>
/// Records every authenticated admin call once it is answered, whatever the result (including 4xx and 500). The row is
/// best effort: an admin repairing a MySQL outage must not be stopped by the audit, so a row that cannot be written is
/// logged in full instead (<c>EventId 8102</c>), and the log is the record. Refused calls (no key, wrong key) never
/// reach here; they are logged by the authentication handler and rate-limited before it.
/// </summary>
public sealed partial class AdminAuditMiddleware(RequestDelegate next, AdminAuditLog audit, TimeProvider clock, ILogger<AdminAuditMiddleware> logger)
{
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(2);

    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        var actor = context.User.FindFirst(AdminKeyAuthenticationHandler.ActorClaim)?.Value;
        if (endpoint?.Metadata.GetMetadata<AdminAudited>() is null || actor is null)
        {
            await next(context);
            return;
        }

        var status = StatusCodes.Status500InternalServerError;
        try
        {
            await next(context);
            status = context.Response.StatusCode;
        }
        finally
        {
            var action = Describe(context, endpoint);
            var entry = new AdminAuditEntry
            {
                At = clock.GetUtcNow().UtcDateTime,
                Actor = actor,
                Action = action,
                CouponId = AuditNotes.CouponOf(context),
                Client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                Status = status,
            };
            await RecordAsync(entry);
        }
    }

    /// <summary>
    /// The method and route, and what the endpoint noted it acted on (<see cref="AdminAudited.NoteDetail"/>: values it
    /// parsed, never the caller's raw text, so a row cannot be made to name another dead letter or to carry a line
    /// break).
    /// </summary>
    private static string Describe(HttpContext context, Endpoint endpoint)
    {
        var route = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
        var action = AuditNotes.DetailOf(context) is { } detail ? $"{context.Request.Method} {route} {detail}" : $"{context.Request.Method} {route}";
        return action.Length > MaxActionLength ? action[..MaxActionLength] : action;
    }

    private const int MaxActionLength = 200; // admin_audit.action

    private async Task RecordAsync(AdminAuditEntry entry)
    {
        AdminAction(logger, entry.Actor, entry.Action, entry.CouponId, entry.Client, entry.Status);
        try
        {
            using var timeout = new CancellationTokenSource(WriteTimeout);
            await audit.RecordAsync(entry, timeout.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            AuditNotWritten(logger, ex.GetType().Name, entry.Actor, entry.Action, entry.CouponId, entry.Client, entry.Status);
        }
    }

    [LoggerMessage(EventId = 8101, Level = LogLevel.Information,
        Message = "Admin action by {Actor}: {Action} coupon={CouponId} client={Client} status={Status}")]
    private static partial void AdminAction(ILogger logger, string actor, string action, long? couponId, string client, int status);

    [LoggerMessage(EventId = 8102, Level = LogLevel.Error,
        Message = "Admin audit row not written ({ExceptionType}); this line is the record: {Actor} {Action} coupon={CouponId} client={Client} status={Status}")]
    private static partial void AuditNotWritten(ILogger logger, string exceptionType, string actor, string action, long? couponId, string client, int status);
}
