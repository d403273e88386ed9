using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Coupons.Auth;

/// <summary>
/// Embedded dev mode only: tokens for demo users, so the authenticated path can be tried in a minute
/// (<c>POST /dev/token/{publicId}</c>), signed with a marked local-dev key that is valid nowhere else.
/// </summary>
public static class DevTokens
{
    /// <summary>
    /// Local-dev default, used only in embedded dev mode (base64 of 41 ASCII bytes). Never valid against real
    /// infrastructure.
    /// </summary>
    public const string Key = "bG9jYWwtZGV2LWp3dC1rZXktbm90LWEtc2VjcmV0LTAxMjM0NTY3ODk=";
    public const string KeyId = "local-dev";
    public const string Issuer = "coupons-local-dev";
    public const string Audience = "coupons-api";
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    /// <summary>
    /// The settings dev mode runs with unless configured otherwise: the dev key, and anonymous clicks as in the seed's
    /// curl.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string?>> Defaults(IConfiguration configuration)
    {
        var section = UserAuthOptions.Section;
        if (string.IsNullOrEmpty(configuration[$"{section}:Issuer"]))
        {
            yield return new($"{section}:Issuer", Issuer);
            yield return new($"{section}:Audience", Audience);
            yield return new($"{section}:SigningKeys:0:Id", KeyId);
            yield return new($"{section}:SigningKeys:0:Key", Key);
        }

        if (string.IsNullOrEmpty(configuration[$"{section}:AllowAnonymous"]))
        {
            yield return new($"{section}:AllowAnonymous", "true");
        }
    }

    public static IEndpointRouteBuilder MapDevTokens(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/dev/token/{publicId}", (string publicId, IOptions<UserAuthOptions> options, TimeProvider clock) => Issue(publicId, options, clock, role: null))
            .WithTags("Dev");
        // The order service's token (Auth:RedeemRole), to try use and restore at checkout.
        routes.MapPost("/dev/token/order-service", (IOptions<UserAuthOptions> options, TimeProvider clock) => Issue("order-service", options, clock, options.Value.RedeemRole))
            .WithTags("Dev");
        return routes;
    }

    public static Results<Ok<DevToken>, ProblemHttpResult> Issue(string publicId, IOptions<UserAuthOptions> options, TimeProvider clock, string? role)
    {
        var auth = options.Value;
        var key = auth.SigningKeys[0];
        var now = clock.GetUtcNow();
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = auth.Issuer,
            Audience = auth.Audience,
            Subject = new ClaimsIdentity(role is null ? [new Claim(auth.SubjectClaim, publicId)] : [new Claim(auth.SubjectClaim, publicId), new Claim("role", role)]),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + Lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(key.Key)) { KeyId = key.Id }, SecurityAlgorithms.HmacSha256),
        });
        return TypedResults.Ok(new DevToken(token, "Bearer", now + Lifetime));
    }
}
