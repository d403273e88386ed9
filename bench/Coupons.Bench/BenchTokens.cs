using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Coupons.Bench;

/// <summary>
/// User tokens as an identity provider would issue them, signed with the bench app's key (bench/app.sh), minted before
/// a run so the load generator spends nothing on them during it.
/// </summary>
internal static class BenchTokens
{
    public const string Issuer = "coupons-bench";
    public const string Audience = "coupons-api";
    public const string KeyId = "bench";
    public const string Key = "YmVuY2gtand0LWtleS1ub3QtYS1zZWNyZXQtMDEyMzQ1Njc4OQ=="; // not a secret: the bench app's own

    /// <summary>The order service's token: the role that may use coupons at checkout (Auth:RedeemRole).</summary>
    public static string OrderService() => Mint(["order-service"], role: "coupons-redeem")[0];

    public static string[] Mint(IEnumerable<string> subjects, string? role = null)
    {
        var handler = new JsonWebTokenHandler();
        var credentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(Key)) { KeyId = KeyId }, SecurityAlgorithms.HmacSha256);
        var now = DateTime.UtcNow;
        return [.. subjects.Select(subject => handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(role is null ? [new Claim("sub", subject)] : [new Claim("sub", subject), new Claim("role", role)]),
            IssuedAt = now,
            NotBefore = now.AddMinutes(-1),
            Expires = now.AddHours(2),
            SigningCredentials = credentials,
        }))];
    }
}
