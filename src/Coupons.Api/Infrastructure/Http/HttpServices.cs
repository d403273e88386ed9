using System.Text.Json.Serialization;

namespace Coupons.Infrastructure.Http;

public static class HttpServices
{
    /// <summary>How every endpoint answers: problem details with stable codes (never a stack trace), enums as strings.</summary>
    public static IServiceCollection AddCouponHttp(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<DependencyExceptionHandler>();
        // Unreadable bodies throw, so DependencyExceptionHandler answers them with coded problem details in every environment.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        return services;
    }
}
