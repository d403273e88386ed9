using System.Net;
using System.Net.Sockets;

namespace Coupons.Infrastructure.Edge;

/// <summary>Endpoint metadata: which per-client allowance a call of this endpoint counts against.</summary>
public sealed class ClientLimit
{
    public static readonly ClientLimit Click = new("click");
    public static readonly ClientLimit Read = new("read");
    public static readonly ClientLimit Admin = new("admin");

    /// <summary>The order service's uses and restores: a few addresses carrying every checkout.</summary>
    public static readonly ClientLimit Checkout = new("checkout");

    private ClientLimit(string name) => Name = name;

    public string Name { get; }

    /// <summary>
    /// The client a call counts against under <paramref name="limit"/>, or null when the endpoint is not so limited.
    /// </summary>
    public static string? ClientOf(HttpContext context, ClientLimit limit) =>
        context.GetEndpoint()?.Metadata.GetMetadata<ClientLimit>() == limit ? KeyOf(context.Connection.RemoteIpAddress) : null;

    /// <summary>
    /// An IPv4 address is one client. An IPv6 client is its /64: that is what one subscriber or host is usually given,
    /// and keying on the full address would hand whoever holds a /64 2^64 fresh allowances (and let them fill the
    /// limiter's table, which then refuses newcomers).
    /// </summary>
    public static string KeyOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return $"{new IPAddress(bytes)}/64";
    }
}
