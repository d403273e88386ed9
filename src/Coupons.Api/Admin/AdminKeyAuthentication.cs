using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;

namespace Coupons.Admin;

/// <summary>
/// The admin API key as an authentication scheme, so the check runs in the authorization middleware, before the
/// endpoint binds (reads) its body: an unauthenticated caller cannot make the app parse megabytes of JSON, and
/// hears 401 whatever it sent. 401 <c>ADMIN_KEY_MISSING</c> without <c>X-Admin-Key</c>, 403 <c>ADMIN_KEY_INVALID</c>
/// with a wrong one. Several keys may be valid at once (rotation, <see cref="AdminOptions.Keys"/>); optionally a user
/// token with the admin role stands in for a key (<see cref="AdminOptions.TokenRole"/>). A key's scope
/// (<see cref="AdminKey.Scope"/>) rides in <see cref="ScopeClaim"/>: a read key that asks for anything but a read hears
/// 403 <c>ADMIN_KEY_READ_ONLY</c> (<see cref="AdminScopes"/>), and the call is audited like any other.
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

    /// <summary>The claim that names who acted: the key's id, or <c>token:{subject}</c> for an admin token.</summary>
    public const string ActorClaim = "coupons:admin-actor";

    /// <summary>The claim that says what the caller may do: <see cref="AdminScope"/> by name.</summary>
    public const string ScopeClaim = "coupons:admin-scope";

    private const int MaxActorLength = 100;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Request.Headers[Header].ToString();
        if (presented.Length == 0)
        {
            return await AuthenticateTokenAsync();
        }

        // Every key is compared, in constant time, so the time taken does not tell which (or whether one) came close.
        var presentedBytes = Encoding.UTF8.GetBytes(presented);
        AdminKey? match = null;
        foreach (var key in admin.Value.AllKeys())
        {
            if (CryptographicOperations.FixedTimeEquals(presentedBytes, Encoding.UTF8.GetBytes(key.Key)))
            {
                match = key;
            }
        }

        return match is null
            ? AuthenticateResult.Fail("The admin API key is not valid.")
            : Success(match.Id, match.Scope);
    }

    /// <summary>
    /// A user bearer token with the configured admin role, when one is configured
    /// (<see cref="AdminOptions.TokenRole"/>).
    /// </summary>
    private async Task<AuthenticateResult> AuthenticateTokenAsync()
    {
        var role = admin.Value.TokenRole;
        if (role.Length == 0 || !Request.Headers.ContainsKey("Authorization"))
        {
            return AuthenticateResult.NoResult();
        }

        var token = await Context.AuthenticateAsync(Auth.UserAuthentication.Scheme);
        if (!token.Succeeded)
        {
            return AuthenticateResult.Fail("The bearer token is not valid.");
        }

        var user = token.Principal;
        return Auth.RedeemerFilter.HasRole(user, role)
            ? Success($"token:{user.Identity?.Name}", AdminScope.Operate)
            : AuthenticateResult.Fail("The bearer token does not carry the admin role.");
    }

    private static AuthenticateResult Success(string actor, AdminScope scope)
    {
        actor = actor.Length > MaxActorLength ? actor[..MaxActorLength] : actor; // the audit column's width; a subject can be long
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, actor), new Claim(ActorClaim, actor), new Claim(ScopeClaim, scope.ToString())],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var presented = (await HandleAuthenticateOnceSafeAsync()).Failure is not null;
        await (presented ? Invalid() : Missing()).ExecuteAsync(Context);
    }

    /// <summary>
    /// A valid key whose scope does not cover the call hears that, not "invalid": it is the right key for reading.
    /// </summary>
    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        await (AdminScopes.Of(result.Principal) == AdminScope.Read ? ReadOnly() : Invalid()).ExecuteAsync(Context);
    }

    private static IResult Missing() =>
        Problems.Create(StatusCodes.Status401Unauthorized, ProblemCodes.AdminKeyMissing, "Unauthorized", $"Send the admin API key in the {Header} header.");

    private static IResult ReadOnly() =>
        Problems.Create(StatusCodes.Status403Forbidden, ProblemCodes.AdminKeyReadOnly, "Forbidden", "This admin key may read, not act: use a key with the operate scope.");

    private static IResult Invalid() =>
        Problems.Create(StatusCodes.Status403Forbidden, ProblemCodes.AdminKeyInvalid, "Forbidden", "The admin API key is not valid.");
}
