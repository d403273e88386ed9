using System.Globalization;

namespace Coupons.Issuance;

/// <summary>
/// Request ids are UUIDv7: their first 48 bits are the Unix time in milliseconds when the gate accepted them.
/// </summary>
public static class RequestIds
{
    public static Guid New(DateTimeOffset now) => Guid.CreateVersion7(now);

    public static DateTimeOffset CreatedAt(Guid requestId)
    {
        var hex = requestId.ToString("N")[..12];
        return DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }
}
