using System.Globalization;

namespace Coupons.Infrastructure.Http;

/// <summary>Validates ids from the path before any I/O (design.md §3, Edge; §9).</summary>
public static class Ids
{
    public const int MaxPublicIdLength = 36;

    public static bool TryParseCouponId(string? raw, out long couponId) =>
        long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out couponId) && couponId > 0;

    /// <summary>1-36 characters of ASCII letters, digits, '-' and '_'.</summary>
    public static bool IsValidPublicId(string? raw)
    {
        if (string.IsNullOrEmpty(raw) || raw.Length > MaxPublicIdLength)
        {
            return false;
        }

        foreach (var c in raw)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A valid publicId in its canonical form. A publicId names one person however it is cased (design.md §2, I6): the
    /// canonical form is ASCII lower case, and the gate, the user registry, the rate limiter and the database all see
    /// only it. Allocates only when <paramref name="raw"/> has upper-case letters.
    /// </summary>
    public static bool TryCanonicalPublicId(string? raw, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? canonical)
    {
        canonical = IsValidPublicId(raw) ? Canonical(raw!) : null;
        return canonical is not null;
    }

    /// <summary>ASCII lower case; <paramref name="publicId"/> must already be valid (ASCII only).</summary>
    public static string Canonical(string publicId)
    {
        foreach (var c in publicId)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                return publicId.ToLowerInvariant();
            }
        }

        return publicId;
    }

    public static bool TryParseRequestId(string? raw, out Guid requestId) => Guid.TryParseExact(raw, "D", out requestId);
}
