using Coupons.Infrastructure.Edge;

namespace Coupons.Catalog;

public static class CatalogApi
{
    public static IEndpointRouteBuilder MapCatalogApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/coupons").WithTags("Catalog").WithMetadata(ClientLimit.Read)
            .MapGet("/issuable", GetIssuable).WithName("GetIssuableCoupons");
        return routes;
    }

    public static async Task<Ok<IReadOnlyList<IssuableCoupon>>> GetIssuable(IssuableCoupons issuable, CancellationToken ct) =>
        TypedResults.Ok(await issuable.GetAsync(ct));
}
