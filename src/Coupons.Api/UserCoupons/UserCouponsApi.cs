using Coupons.Auth;
using Coupons.Infrastructure.Edge;
using Coupons.Issuance;
using Coupons.Users;

namespace Coupons.UserCoupons;

public static class UserCouponsApi
{
    public static IEndpointRouteBuilder MapUserCouponsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/coupons/user").WithTags("UserCoupons").WithMetadata(PersonReadLimit.Instance, ClientLimit.Read)
            .RequireUserOwning()
            .RequireRateLimiting(IssuanceRateLimiting.ReadsPolicy)
            .Answers(StatusCodes.Status404NotFound, ProblemCodes.UserNotFound);
        group.MapGet("/{publicId}", (string publicId, UserDirectory users, UserCouponRepository repo, TimeProvider clock, CancellationToken ct)
            => List(publicId, availableOnly: false, users, repo, clock, ct));
        group.MapGet("/{publicId}/available", (string publicId, UserDirectory users, UserCouponRepository repo, TimeProvider clock, CancellationToken ct)
            => List(publicId, availableOnly: true, users, repo, clock, ct));
        return routes;
    }

    public static async Task<Results<Ok<IReadOnlyList<UserCouponView>>, ProblemHttpResult>> List(
        string publicId, bool availableOnly, UserDirectory users, UserCouponRepository repo, TimeProvider clock, CancellationToken ct)
    {
        var userId = await users.FindIdAsync(publicId, ct);
        if (userId is null)
        {
            return Problems.NotFound(ProblemCodes.UserNotFound, "No user has this publicId.");
        }

        var rows = await repo.ListAsync(userId.Value, availableOnly ? clock.GetUtcNow().UtcDateTime : null, ct);
        IReadOnlyList<UserCouponView> views = rows.Select(r => new UserCouponView(
            r.Id, r.CouponId, r.CouponName, r.CouponType, r.DiscountRate, r.DiscountAmount, r.Status,
            AsUtc(r.IssuedAt), AsUtc(r.ExpiresAt), r.RequestId, r.OrderId, r.UsedAt is { } used ? AsUtc(used) : null)).ToList();
        return TypedResults.Ok(views);
    }

    private static DateTimeOffset AsUtc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
