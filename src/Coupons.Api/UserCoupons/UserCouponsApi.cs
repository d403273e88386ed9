using Coupons.Auth;
using Coupons.Infrastructure.Edge;
using Coupons.Infrastructure.Http;
using Coupons.Issuance;
using Coupons.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coupons.UserCoupons;

public sealed record UserCouponView(
    long Id, long CouponId, string CouponName, string CouponType, decimal? DiscountRate, decimal? DiscountAmount,
    string Status, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, string RequestId);

public static class UserCouponsApi
{
    public static IEndpointRouteBuilder MapUserCouponsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/coupons/user").WithTags("UserCoupons").WithMetadata(PersonReadLimit.Instance, ClientLimit.Read)
            .RequireAuthorization(UserAuthentication.Policy).AddEndpointFilter<SubjectFilter>()
            .RequireRateLimiting(IssuanceRateLimiting.ReadsPolicy);
        group.MapGet("/{publicId}", (string publicId, UserDirectory users, UserCouponRepository repo, TimeProvider clock, CancellationToken ct)
            => List(publicId, availableOnly: false, users, repo, clock, ct));
        group.MapGet("/{publicId}/available", (string publicId, UserDirectory users, UserCouponRepository repo, TimeProvider clock, CancellationToken ct)
            => List(publicId, availableOnly: true, users, repo, clock, ct));
        return routes;
    }

    public static async Task<Results<Ok<IReadOnlyList<UserCouponView>>, ProblemHttpResult>> List(
        string publicId, bool availableOnly, UserDirectory users, UserCouponRepository repo, TimeProvider clock, CancellationToken ct)
    {
        if (!Ids.TryCanonicalPublicId(publicId, out var person))
        {
            return Problems.BadRequest(ProblemCodes.InvalidPublicId, "publicId must be 1-36 characters of letters, digits, '-' or '_'.");
        }

        var userId = await users.FindIdAsync(person, ct);
        if (userId is null)
        {
            return Problems.NotFound(ProblemCodes.UserNotFound, "No user has this publicId.");
        }

        var rows = await repo.ListAsync(userId.Value, availableOnly ? clock.GetUtcNow().UtcDateTime : null, ct);
        IReadOnlyList<UserCouponView> views = rows.Select(r => new UserCouponView(
            r.Id, r.CouponId, r.CouponName, r.CouponType, r.DiscountRate, r.DiscountAmount, r.Status,
            AsUtc(r.IssuedAt), AsUtc(r.ExpiresAt), r.RequestId)).ToList();
        return TypedResults.Ok(views);
    }

    private static DateTimeOffset AsUtc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
