using System.Globalization;
using Coupons.Catalog;
using Coupons.Consumer;
using Coupons.Gate;
using Coupons.Infrastructure.Edge;
using Coupons.Users;
using Microsoft.AspNetCore.Mvc;

namespace Coupons.Admin;

public static class AdminApi
{
    public const int MaxUsersPerCall = 10_000;
    public const long MaxUsersBodyBytes = 4 * 1024 * 1024; // 10,000 users at ~400 bytes each
    public const long MaxBodyBytes = 64 * 1024;
    private static readonly string[] CouponTypes = ["FIXED", "PERCENTAGE"];

    /// <summary>Maps the admin group and its endpoints; returns the group, so other features add theirs under the same rules.</summary>
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
        group.MapPost("/coupons", CreateCoupon).Answers(StatusCodes.Status400BadRequest, ProblemCodes.InvalidRequest);
        group.MapPost("/users", CreateUsers).WithMetadata(new RequestSizeLimitAttribute(MaxUsersBodyBytes))
            .Answers(StatusCodes.Status400BadRequest, ProblemCodes.InvalidRequest);
        group.MapGet("/coupons/{couponId}/consistency", Consistency).Answers(StatusCodes.Status404NotFound, ProblemCodes.CouponNotFound);
        group.MapPost("/consumer/pause", (ConsumerHealth consumer, TimeProvider clock, CancellationToken ct) => SetConsumerPausedAsync(consumer, true, clock, ct));
        group.MapPost("/consumer/resume", (ConsumerHealth consumer, TimeProvider clock, CancellationToken ct) => SetConsumerPausedAsync(consumer, false, clock, ct));
        group.MapGet("/dead-letters", ListDeadLetters).Answers(StatusCodes.Status400BadRequest, ProblemCodes.InvalidRequest); // ?max= not a number
        // No route constraints: a position that is not one must still meet the key check first, then a 400 with its code.
        group.MapPost("/dead-letters/{partition}/{offset}/replay", ReplayDeadLetter).Answers(StatusCodes.Status404NotFound, ProblemCodes.NotFound)
            .Answers(StatusCodes.Status400BadRequest, ProblemCodes.InvalidRequest);
        group.MapGet("/config", (IConfiguration configuration) => TypedResults.Ok(EffectiveConfiguration.Read(configuration)));
        group.MapGet("/audit", ListAudit).Answers(StatusCodes.Status400BadRequest, ProblemCodes.InvalidCouponId, ProblemCodes.InvalidRequest);
        return group;
    }

    /// <summary>
    /// This instance's consumer only (drills, DB maintenance, measuring the drain rate of a backlog). Answers once the
    /// consumer loop has acted on it (it finishes the batch in hand first), so "paused" means nothing more is written.
    /// </summary>
    public static async Task<Ok<ConsumerState>> SetConsumerPausedAsync(ConsumerHealth consumer, bool paused, TimeProvider clock, CancellationToken ct)
    {
        consumer.PauseRequested = paused;
        var deadline = clock.GetUtcNow().AddSeconds(10);
        while (consumer.Holding != paused && clock.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), clock, ct);
        }

        return TypedResults.Ok(new ConsumerState(consumer.PauseRequested, consumer.Holding));
    }

    public static async Task<Results<Created<CreatedCoupon>, ProblemHttpResult>> CreateCoupon(
        CreateCouponRequest request, CouponRepository coupons, HttpContext context, CancellationToken ct)
    {
        if (Validate(request) is { } error)
        {
            return Problems.BadRequest(ProblemCodes.InvalidRequest, error);
        }

        var id = await coupons.CreateAsync(new NewCoupon(
            request.Name!, request.CouponType!.ToUpperInvariant(), request.DiscountRate, request.DiscountAmount, request.MinOrderAmount ?? 0,
            request.TotalQuantity!.Value, request.StartDate!.Value, request.EndDate!.Value, request.ValidityDays ?? 30), explicitId: null, ct);
        AdminAudited.NoteCoupon(context, id);
        return TypedResults.Created($"/api/admin/coupons/{id}", new CreatedCoupon(id));
    }

    public static async Task<Results<Created<CreatedUsers>, ProblemHttpResult>> CreateUsers(
        CreateUsersRequest request, UserRepository users, UserRegistry registry, CancellationToken ct)
    {
        if (request.Users is not { Count: > 0 and <= MaxUsersPerCall } list)
        {
            return Problems.BadRequest(ProblemCodes.InvalidRequest, $"users must hold 1 to {MaxUsersPerCall} entries.");
        }

        var invalid = list.FirstOrDefault(u => !Ids.IsValidPublicId(u.PublicId) || string.IsNullOrWhiteSpace(u.Name) || u.Name.Length > 100
            || string.IsNullOrWhiteSpace(u.Email) || u.Email.Length > 255 || !u.Email.Contains('@', StringComparison.Ordinal));
        if (invalid is not null)
        {
            return Problems.BadRequest(ProblemCodes.InvalidRequest, $"user '{invalid.PublicId}' needs a valid publicId, a name and an email.");
        }

        var created = await users.CreateManyAsync(list.Select(u => new NewUser(u.PublicId!, u.Name!, u.Email!)).ToList(), ct);
        await WarmRegistryAsync(users, registry, list.Select(u => Ids.Canonical(u.PublicId!)).ToList(), ct);
        return TypedResults.Created("/api/admin/users", new CreatedUsers(list.Count, created));
    }

    /// <summary>New users go into the Redis registry at once, so their first click needs no MySQL lookup. Best effort.</summary>
    private static async Task WarmRegistryAsync(UserRepository users, UserRegistry registry, IReadOnlyCollection<string> publicIds, CancellationToken ct)
    {
        try
        {
            await registry.RememberManyAsync(await users.FindIdsAsync(publicIds, ct));
        }
        catch (Exception ex) when (Infrastructure.Redis.RedisCircuit.IsUnavailable(ex))
        {
            // The directory falls back to MySQL and fills the registry on first use.
        }
    }

    public static async Task<Results<Ok<ConsistencyReportView>, ProblemHttpResult>> Consistency(long couponId, ConsistencyReporter reporter, CancellationToken ct)
    {
        return await reporter.ReportAsync(couponId, ct) is { } report
            ? TypedResults.Ok(report)
            : Problems.NotFound(ProblemCodes.CouponNotFound, $"Coupon {couponId} does not exist.");
    }

    public static async Task<Ok<IReadOnlyList<DeadLetter>>> ListDeadLetters(DeadLetters deadLetters, int? max) =>
        TypedResults.Ok(await deadLetters.ListAsync(Math.Clamp(max ?? 100, 1, 1000)));

    public static async Task<Results<Accepted, ProblemHttpResult>> ReplayDeadLetter(string partition, string offset, DeadLetters deadLetters, HttpContext context)
    {
        if (!int.TryParse(partition, NumberStyles.None, CultureInfo.InvariantCulture, out var p)
            || !long.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out var o))
        {
            return Problems.BadRequest(ProblemCodes.InvalidRequest, "partition and offset are non-negative integers (a partition fits 32 bits).");
        }

        AdminAudited.NoteDetail(context, $"partition={p} offset={o}");

        return await deadLetters.ReplayAsync(p, o)
            ? TypedResults.Accepted((string?)null)
            : Problems.NotFound(ProblemCodes.NotFound, $"No dead letter at partition {p}, offset {o}.");
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

    internal static string? Validate(CreateCouponRequest r)
    {
        if (string.IsNullOrWhiteSpace(r.Name) || r.Name.Length > 200)
        {
            return "name is required (at most 200 characters).";
        }

        if (r.CouponType is null || !CouponTypes.Contains(r.CouponType.ToUpperInvariant()))
        {
            return "couponType must be FIXED or PERCENTAGE.";
        }

        if (r.TotalQuantity is not (> 0 and <= 10_000_000))
        {
            return "totalQuantity must be between 1 and 10,000,000.";
        }

        if (r.StartDate is null || r.EndDate is null || r.EndDate <= r.StartDate)
        {
            return "startDate and endDate are required and endDate must be after startDate.";
        }

        if (r.DiscountRate is < 0 or > 100 || r.DiscountAmount is < 0 || r.MinOrderAmount is < 0 || r.ValidityDays is < 1 or > 3650)
        {
            return "discountRate must be 0-100, amounts non-negative, validityDays 1-3650.";
        }

        return null;
    }
}
