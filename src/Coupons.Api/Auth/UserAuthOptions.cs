namespace Coupons.Auth;

/// <summary>
/// Who may click for whom (design.md §9): a click, a user's coupons and a request's status need a bearer token (JWT)
/// whose subject is that publicId. Issuer, audience and keys come from configuration: static signing keys (more than
/// one during a rotation: a token names its key by <c>kid</c>), or an OpenID Connect <see cref="Authority"/> whose JWKS
/// is fetched and refreshed.
/// </summary>
public sealed class UserAuthOptions
{
    public const string Section = "Auth";

    public string Issuer { get; set; } = "";

    public string Audience { get; set; } = "";

    /// <summary>
    /// HS256 keys accepted now (base64, at least 32 bytes each); a token signed by any of them is valid.
    /// </summary>
    public List<SigningKeyOptions> SigningKeys { get; set; } = [];

    /// <summary>
    /// An OpenID Connect issuer (its discovery document gives the JWKS); instead of, or beside, static keys.
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>The claim that carries the publicId.</summary>
    public string SubjectClaim { get; set; } = "sub";

    /// <summary>
    /// The role (a <c>role</c> or <c>roles</c> claim) of the order service's tokens: only they may use a coupon at
    /// checkout or restore it (a shopper's own token never: they could restore a shipped order's coupon and use it
    /// again). Anonymous calls never, whatever <see cref="AllowAnonymous"/> says.
    /// </summary>
    public string RedeemRole { get; set; } = "coupons-redeem";

    /// <summary>
    /// Requests without a token are let through, as in the seed's curl (anyone may then claim for any publicId). The
    /// embedded dev default, announced loudly at start; anywhere else an explicit opt-in. A token that is sent is still
    /// checked.
    /// </summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>Tolerance for clocks that disagree, on expiry and not-before.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class SigningKeyOptions
{
    /// <summary>The <c>kid</c> tokens name this key by.</summary>
    public string Id { get; set; } = "";

    /// <summary>The key, base64.</summary>
    public string Key { get; set; } = "";
}
