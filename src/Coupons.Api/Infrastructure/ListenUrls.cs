namespace Coupons.Infrastructure;

/// <summary>
/// Where the public listener listens when nothing says otherwise (<c>Urls</c>, <c>ASPNETCORE_URLS</c>, <c>--urls</c> or
/// the launch profile's applicationUrl: any of them wins). Port 8081 as the seed's curl expects.
/// </summary>
public static class ListenUrls
{
    /// <summary>
    /// Dev mode runs with the published dev admin key, anonymous clicks and <c>/dev/token</c>: on every interface
    /// anyone on the developer's network would be admin. localhost is both 127.0.0.1 and ::1, so <c>curl
    /// http://localhost:8081</c> works.
    /// </summary>
    public const string DevMode = "http://localhost:8081";

    /// <summary>
    /// Deployed (containers, a host behind nginx): reachable from the proxy, which is another address.
    /// </summary>
    public const string Deployed = "http://0.0.0.0:8081";

    public static string Choose(string? configured, bool embeddedDevMode) =>
        !string.IsNullOrWhiteSpace(configured) ? configured : embeddedDevMode ? DevMode : Deployed;
}
