namespace Coupons.Infrastructure.Http;

/// <summary>One id that routes carry in their path, how it is checked, and the problem an invalid one gets.</summary>
public sealed record RouteId(string Name, string Code, string Detail, Func<string, string?> Canonical);

/// <summary>
/// The ids in route paths, checked in one place for every route that has them, before any token, limit or I/O
/// (design.md §3, Edge; §9): an invalid one is 400 with its own code, and a valid one reaches the handler in canonical
/// form, so handlers bind <c>long couponId</c>, <c>Guid requestId</c> and a canonical <c>publicId</c> and check
/// nothing.
/// </summary>
public static class RouteIds
{
    public static readonly IReadOnlyList<RouteId> All =
    [
        new("couponId", ProblemCodes.InvalidCouponId, "couponId must be a positive 64-bit integer.",
            raw => Ids.TryParseCouponId(raw, out var id) ? id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null),
        new("publicId", ProblemCodes.InvalidPublicId, "publicId must be 1-36 characters of letters, digits, '-' or '_'.",
            raw => Ids.TryCanonicalPublicId(raw, out var canonical) ? canonical : null),
        new("requestId", ProblemCodes.InvalidRequestId, "requestId must be a UUID.",
            raw => Ids.TryParseRequestId(raw, out var id) ? id.ToString("D") : null),
    ];

    /// <summary>
    /// The problem for the first invalid id in <paramref name="values"/> (canonicalising the valid ones in place), or
    /// null.
    /// </summary>
    public static ProblemHttpResult? Check(RouteValueDictionary values)
    {
        foreach (var id in All)
        {
            if (values.TryGetValue(id.Name, out var value) && value is string raw)
            {
                if (id.Canonical(raw) is not { } canonical)
                {
                    return Problems.BadRequest(id.Code, id.Detail);
                }

                values[id.Name] = canonical;
            }
        }

        return null;
    }

    public static IApplicationBuilder UseRouteIds(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (Check(context.Request.RouteValues) is { } problem)
            {
                await problem.ExecuteAsync(context);
                return;
            }

            await next(context);
        });
}
