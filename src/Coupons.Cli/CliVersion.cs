using System.Reflection;

namespace Coupons.Cli;

/// <summary>
/// couponctl's own version (MinVer, from the git tag, with the commit): what <c>--version</c> prints, and what bundles
/// and post-mortems name as the tool that wrote them.
/// </summary>
public static class CliVersion
{
    public static string Current { get; } =
        typeof(CliVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
