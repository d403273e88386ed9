using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Coupons.Auth;

/// <summary>
/// Bearer tokens for users: JwtBearer validates signature (HS256 only: <c>alg: none</c> and algorithm confusion are
/// refused), issuer, audience, expiry and not-before. Refusals are problem details with a stable code:
/// 401 <c>TOKEN_MISSING</c> / <c>TOKEN_INVALID</c>; 403 <c>SUBJECT_MISMATCH</c> comes from <see cref="SubjectFilter"/>.
/// </summary>
public static partial class UserAuthentication
{
    public const string Scheme = JwtBearerDefaults.AuthenticationScheme;
    public const string Policy = "User";

    internal static bool AnonymousAllowed(object? resource) =>
        resource is HttpContext http
        && http.RequestServices.GetRequiredService<IOptions<UserAuthOptions>>().Value.AllowAnonymous
        && !http.Request.Headers.ContainsKey("Authorization");

    internal static void Configure(JwtBearerOptions jwt, UserAuthOptions auth)
    {
        jwt.MapInboundClaims = false; // keep "sub" as "sub"
        jwt.SaveToken = false;        // nothing reads it back; saving it costs an allocation per request
        if (!string.IsNullOrEmpty(auth.Authority))
        {
            jwt.Authority = auth.Authority;
        }

        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = auth.Issuer,
            ValidAudience = auth.Audience,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            IssuerSigningKeys = auth.SigningKeys.Select(k => new SymmetricSecurityKey(TryKeyBytes(k.Key)!) { KeyId = k.Id }).ToList(),
            ValidAlgorithms = string.IsNullOrEmpty(auth.Authority)
                ? [SecurityAlgorithms.HmacSha256]
                : [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256],
            ClockSkew = auth.ClockSkew,
            NameClaimType = auth.SubjectClaim,
        };
        jwt.Events = new JwtBearerEvents
        {
            OnChallenge = async context =>
            {
                context.HandleResponse(); // ours instead of the bare 401
                var invalid = context.AuthenticateFailure is not null || context.Request.Headers.ContainsKey("Authorization");
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await Problems.Create(StatusCodes.Status401Unauthorized,
                    invalid ? ProblemCodes.TokenInvalid : ProblemCodes.TokenMissing, "Unauthorized",
                    invalid ? "The bearer token is not valid (signature, issuer, audience or expiry)." : "Send a bearer token for this user.")
                    .ExecuteAsync(context.HttpContext);
            },
        };
    }

    /// <summary>
    /// A configured signing key's bytes, or null when it is not base64. The one decoding of a key: it skips whitespace,
    /// so the production guard compares what tokens are signed with, not how the key was written.
    /// </summary>
    public static byte[]? TryKeyBytes(string base64)
    {
        var bytes = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, bytes, out var written) ? bytes[..written] : null;
    }
}
