using Coupons.Infrastructure.Edge;
using Microsoft.AspNetCore.Mvc;

namespace Coupons.Admin;

public static class AdminApi
{
    public const long MaxBodyBytes = 64 * 1024;

    /// <summary>
    /// Maps the admin group and the admin's own endpoints (effective configuration, the audit, a coupon's consistency);
    /// returns the group, so each feature adds its admin endpoints under the same rules (Map&lt;Feature&gt;AdminApi).
    /// </summary>
    public static RouteGroupBuilder MapAdminApi(this IEndpointRouteBuilder routes)
    {
        // Authorization runs before the endpoint reads its body (see AdminKeyAuthenticationHandler). Every call is
        // audited, limited per client address, takes bodies up to 64 KB (bulk users more) and may take up to two
        // minutes (a rebuild waits for the pipeline to drain).
        var group = routes.MapGroup("/api/admin").WithTags("Admin");
        group.RequireAuthorization(AdminKeyAuthenticationHandler.Policy)
            .WithMetadata(AdminAudited.Instance, ClientLimit.Admin, new RequestSizeLimitAttribute(MaxBodyBytes))
            .WithRequestTimeout(TimeSpan.FromMinutes(2))
            .Answers(StatusCodes.Status401Unauthorized, ProblemCodes.AdminKeyMissing)
            .Answers(StatusCodes.Status403Forbidden, ProblemCodes.AdminKeyInvalid);
        group.MapGet("/coupons/{couponId}/consistency", Consistency).Answers(StatusCodes.Status404NotFound, ProblemCodes.CouponNotFound);
        group.MapGet("/config", (IConfiguration configuration) => TypedResults.Ok(EffectiveConfiguration.Read(configuration)));
        group.MapGet("/audit", ListAudit).Answers(StatusCodes.Status400BadRequest, ProblemCodes.InvalidCouponId, ProblemCodes.InvalidRequest);
        return group;
    }

    public static async Task<Results<Ok<ConsistencyReportView>, ProblemHttpResult>> Consistency(long couponId, ConsistencyReporter reporter, CancellationToken ct)
    {
        return await reporter.ReportAsync(couponId, ct) is { } report
            ? TypedResults.Ok(report)
            : Problems.NoSuchCoupon(couponId);
    }

    /// <summary>The admin audit, newest first; <c>couponId</c>, <c>actor</c> and <c>client</c> narrow it.</summary>
    public static async Task<Results<Ok<IReadOnlyList<AdminAuditEntry>>, ProblemHttpResult>> ListAudit(
        AdminAuditLog audit, int? max, string? couponId, string? actor, string? client, CancellationToken ct)
    {
        long? coupon = null;
        if (couponId is not null)
        {
            if (!Ids.TryParseCouponId(couponId, out var id))
            {
                return Problems.BadRequest(ProblemCodes.InvalidCouponId, "couponId must be a positive 64-bit integer.");
            }

            coupon = id;
        }

        if (actor?.Length > 100 || client?.Length > 64)
        {
            return Problems.BadRequest(ProblemCodes.InvalidRequest, "actor is at most 100 characters, client at most 64.");
        }

        var filter = new AuditFilter(coupon, actor, client);
        return TypedResults.Ok(await audit.ListAsync(Math.Clamp(max ?? 100, 1, AdminAuditLog.MaxListed), filter, ct));
    }


}
