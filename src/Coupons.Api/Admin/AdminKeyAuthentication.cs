using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Coupons.Infrastructure.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Coupons.Admin;

/// <summary>
/// The admin API key as an authentication scheme, so the check runs in the authorization middleware, before the
/// endpoint binds (reads) its body: an unauthenticated caller cannot make the app parse megabytes of JSON, and
/// hears 401 whatever it sent. 401 <c>ADMIN_KEY_MISSING</c> without <c>X-Admin-Key</c>, 403 <c>ADMIN_KEY_INVALID</c>
/// with a wrong one; compared in constant time.
/// </summary>
public sealed class AdminKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    IOptions<AdminOptions> admin) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggers, encoder)
{
    public const string SchemeName = "AdminKey";
    public const string Policy = "Admin";
    public const string Header = "X-Admin-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Request.Headers[Header].ToString();
        if (presented.Length == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var expected = admin.Value.ApiKey;
        if (expected.Length == 0 || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected)))
        {
            return Task.FromResult(AuthenticateResult.Fail("The admin API key is not valid."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin-key")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var presented = (await HandleAuthenticateOnceSafeAsync()).Failure is not null;
        await (presented ? Invalid() : Missing()).ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => Invalid().ExecuteAsync(Context);

    private static IResult Missing() =>
        Problems.Create(StatusCodes.Status401Unauthorized, ProblemCodes.AdminKeyMissing, "Unauthorized", $"Send the admin API key in the {Header} header.");

    private static IResult Invalid() =>
        Problems.Create(StatusCodes.Status403Forbidden, ProblemCodes.AdminKeyInvalid, "Forbidden", "The admin API key is not valid.");
}

public static class AdminAuthentication
{
    public static IServiceCollection AddAdminAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, AdminKeyAuthenticationHandler>(AdminKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(AdminKeyAuthenticationHandler.Policy, policy => policy
            .AddAuthenticationSchemes(AdminKeyAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser());
        return services;
    }
}
