using System.Security.Claims;

namespace Coupons.Admin;

/// <summary>
/// Which admin calls a scope covers. Decided by the HTTP method, not by a list of endpoints: a read key can make no
/// call that changes anything, including one added later and never thought of here.
/// </summary>
public static class AdminScopes
{
    /// <summary>
    /// The caller's scope; a principal without one (not the admin scheme) reads as <see cref="AdminScope.Read"/>.
    /// </summary>
    public static AdminScope Of(ClaimsPrincipal? caller) =>
        Enum.TryParse<AdminScope>(caller?.FindFirst(AdminKeyAuthenticationHandler.ScopeClaim)?.Value, out var scope) ? scope : AdminScope.Read;

    public static bool Allows(ClaimsPrincipal caller, HttpContext? call) =>
        Of(caller) == AdminScope.Operate || (call is not null && IsRead(call.Request.Method));

    /// <summary>GET and HEAD change nothing in this API (no admin GET has an effect beyond the audit row).</summary>
    public static bool IsRead(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
}
