using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Coupons.IntegrationTests.Infrastructure;

/// <summary>
/// Bearer tokens for the test stack's users (TestStack configures the app with these keys), and every kind of bad
/// token a hostile client could send.
/// </summary>
public static class TestTokens
{
    public const string Issuer = "coupons-test";
    public const string Audience = "coupons-api";

    /// <summary>Two keys the app accepts at once, as during a rotation (local-test values, not secrets).</summary>
    public static readonly (string Id, string Key) Current = ("test-2026-11", Convert.ToBase64String(Encoding.ASCII.GetBytes("test-signing-key-current-not-a-secret-0001")));
    public static readonly (string Id, string Key) Previous = ("test-2026-10", Convert.ToBase64String(Encoding.ASCII.GetBytes("test-signing-key-previous-not-a-secret-002")));

    /// <summary>A key the app does not know: a forgery.</summary>
    public static readonly (string Id, string Key) Forged = ("test-2026-11", Convert.ToBase64String(Encoding.ASCII.GetBytes("an-attackers-own-key-of-plenty-bytes-0003")));

    public static string For(
        string subject, (string Id, string Key)? key = null, string issuer = Issuer, string audience = Audience, DateTimeOffset? expires = null, DateTimeOffset? notBefore = null,
        string? role = null)
    {
        var (id, secret) = key ?? Current;
        var now = DateTimeOffset.UtcNow;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(role is null ? [new Claim("sub", subject)] : [new Claim("sub", subject), new Claim("role", role)]),
            IssuedAt = now.UtcDateTime,
            NotBefore = (notBefore ?? now.AddMinutes(-1)).UtcDateTime,
            Expires = (expires ?? now.AddMinutes(10)).UtcDateTime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(secret)) { KeyId = id }, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>An unsigned token (<c>alg: none</c>) claiming <paramref name="subject"/>.</summary>
    public static string Unsigned(string subject)
    {
        static string Part(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var expires = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        return $"{Part("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{Part($"{{\"sub\":\"{subject}\",\"iss\":\"{Issuer}\",\"aud\":\"{Audience}\",\"exp\":{expires}}}")}.";
    }

    /// <summary>The order service's token: the role that may use and restore coupons (Auth:RedeemRole).</summary>
    public static string OrderService() => For("order-service", role: "coupons-redeem");

    /// <summary>A client that sends <paramref name="token"/> with every request.</summary>
    public static HttpClient WithToken(this HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
