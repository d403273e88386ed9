using System.Reflection;

namespace Coupons.Ops;

/// <summary>
/// The version that runs: MinVer stamps the assembly at build time from the git tag (v1.2.3, or the next patch as a
/// pre-release with the commit height between tags) and the SDK appends the commit (<c>+sha</c>). It is shown on
/// <c>/actuator/info</c> (Spring Boot's convention, like /actuator/health), as <c>coupons_build_info{version,commit}</c>,
/// and as OpenTelemetry's <c>service.version</c>, so a post-mortem and a bundle can say which build ran.
/// </summary>
public static class BuildInfo
{
    public static string Version { get; }

    public static string Commit { get; }

    static BuildInfo()
    {
        var informational = typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        Version = plus < 0 ? informational : informational[..plus];
        Commit = plus < 0 ? "unknown" : informational[(plus + 1)..];
    }

    /// <summary>GET /actuator/info: the build, in Spring Boot's shape (<c>build.version</c>, <c>git.commit.id</c>).</summary>
    public static IEndpointRouteBuilder MapBuildInfo(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/actuator/info", () => TypedResults.Ok(new
        {
            build = new { artifact = Telemetry.ServiceName, version = Version },
            git = new { commit = new { id = Commit } },
        })).ExcludeFromDescription();
        return routes;
    }
}
