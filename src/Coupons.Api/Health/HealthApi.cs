using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Coupons.Health;

public static class HealthApi
{
    public const string ReadyTag = "ready";

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        // Liveness runs no dependency checks: a dead Redis must not get the app restarted.
        routes.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteSpringStyle });
        routes.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteSpringStyle });
        // The guide's `curl http://localhost:8081/actuator/health` keeps working, with Spring Boot's body shape
        // (design.md §1, §8).
        routes.MapHealthChecks("/actuator/health", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteSpringStyle });
        return routes;
    }

    private static Task WriteSpringStyle(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new Dictionary<string, object>
        {
            ["status"] = SpringStatus(report.Status),
            ["components"] = report.Entries.ToDictionary(
                e => e.Key,
                e => new Dictionary<string, object?> { ["status"] = SpringStatus(e.Value.Status), ["details"] = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }

    // Degraded still serves traffic, so it reads UP (as Spring's custom "degraded" usually maps).
    private static string SpringStatus(HealthStatus status) => status == HealthStatus.Unhealthy ? "DOWN" : "UP";
}
