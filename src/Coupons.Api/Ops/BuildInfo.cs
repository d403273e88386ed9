using System.Reflection;
using System.Text.RegularExpressions;

namespace Coupons.Ops;

/// <summary>
/// The version that runs: MinVer stamps the assembly at build time from the git tag (v1.2.3, or the next patch as a
/// pre-release with the commit height between tags) and the SDK appends the commit (<c>+sha</c>). It is shown on
/// <c>/actuator/info</c> (Spring Boot's convention; on the admin listener where there is one, as Spring keeps it off
/// the web by default), as <c>coupons_build_info{version,commit}</c>, and as OpenTelemetry's <c>service.version</c>, so
/// a post-mortem and a bundle can say which build ran.
/// </summary>
public static partial class BuildInfo
{
    public const string Path = "/actuator/info";

    /// <summary>
    /// The service as telemetry and /actuator/info name it (unless an orchestrator names each replica).
    /// </summary>
    public const string ServiceName = "coupons-api";

    public static string Version { get; }

    public static string Commit { get; }

    static BuildInfo() =>
        (Version, Commit) = Parse(typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0");

    /// <summary>
    /// The version (before any <c>+</c>) and the commit: the SDK appends it last, after any build metadata (joined by
    /// '.'); a build outside git has none ("unknown").
    /// </summary>
    public static (string Version, string Commit) Parse(string informational)
    {
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return (plus < 0 ? informational : informational[..plus],
            TrailingCommit().Match(informational) is { Success: true } sha ? sha.Value : "unknown");
    }

    [GeneratedRegex("(?<=[+.])[0-9a-f]{40}$")]
    private static partial Regex TrailingCommit();

    /// <summary>
    /// GET /actuator/info: the build, in Spring Boot's shape (<c>build.version</c>, <c>git.commit.id</c>).
    /// </summary>
    public static IEndpointRouteBuilder MapBuildInfo(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(Path, () => TypedResults.Ok(new
        {
            build = new { artifact = ServiceName, version = Version },
            git = new { commit = new { id = Commit } },
        })).ExcludeFromDescription();
        return routes;
    }
}
