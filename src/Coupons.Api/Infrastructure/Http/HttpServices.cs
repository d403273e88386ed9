using System.Text.Json.Serialization;

namespace Coupons.Infrastructure.Http;

public static class HttpServices
{
    /// <summary>
    /// How every endpoint answers: problem details with stable codes (never a stack trace), enums as strings; and the
    /// OpenAPI 3.1 document that lists every problem code (<see cref="ApiDocument"/>).
    /// </summary>
    public static IServiceCollection AddHttp(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<DependencyExceptionHandler>();
        // Unreadable bodies throw, so DependencyExceptionHandler answers them with coded problem details in every
        // environment.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        return services.AddApiDocument();
    }
}
