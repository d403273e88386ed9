using System.Globalization;

namespace Coupons.Infrastructure.Http;

/// <summary>Validates ids from the path before any I/O (SPEC §10).</summary>
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

    public static bool TryParseRequestId(string? raw, out Guid requestId) => Guid.TryParseExact(raw, "D", out requestId);
}
