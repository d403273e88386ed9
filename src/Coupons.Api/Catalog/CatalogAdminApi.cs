using Coupons.Infrastructure.Http;

namespace Coupons.Catalog;

public static class CatalogAdminApi
{
    private static readonly string[] CouponTypes = ["FIXED", "PERCENTAGE"];

    /// <summary>
    /// Adds <c>POST coupons</c> (a new coupon definition) to <paramref name="admin"/>, the admin group (its key check,
    /// audit and limits apply).
    /// </summary>
    public static RouteGroupBuilder MapCatalogAdminApi(this RouteGroupBuilder admin)
    {
        admin.MapPost("/coupons", CreateCoupon).Answers(StatusCodes.Status400BadRequest, ProblemCodes.InvalidRequest);
        return admin;
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
            request.TotalQuantity!.Value, request.StartDate!.Value, request.EndDate!.Value, request.ValidityDays ?? 30, request.MaxDiscountAmount), explicitId: null, ct);
        AuditNotes.NoteCoupon(context, id);
        return TypedResults.Created($"/api/admin/coupons/{id}", new CreatedCoupon(id));
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

        if (r.DiscountRate is < 0 or > 100 || r.DiscountAmount is < 0 || r.MinOrderAmount is < 0 || r.MaxDiscountAmount is < 0 || r.ValidityDays is < 1 or > 3650)
        {
            return "discountRate must be 0-100, amounts non-negative, validityDays 1-3650.";
        }

        if (new[] { r.DiscountAmount, r.MinOrderAmount, r.MaxDiscountAmount }.Any(a => a is { } amount && !Money.IsAmount(amount)))
        {
            return $"amounts have at most two decimals and are at most {Money.Max:N0}.";
        }

        if (r.CouponType!.ToUpperInvariant() == "FIXED" ? r.DiscountAmount is not > 0 || r.MaxDiscountAmount is not null : r.DiscountRate is not > 0)
        {
            return "a FIXED coupon needs discountAmount > 0 (and takes no maxDiscountAmount), a PERCENTAGE one discountRate > 0.";
        }

        if (r.MaxDiscountAmount is 0 || r.DiscountRate is { } rate && decimal.Round(rate, 2) != rate)
        {
            return "maxDiscountAmount, when given, is more than 0; discountRate has at most two decimals.";
        }

        return null;
    }
}
