using System.Net;
using System.Net.Sockets;

namespace Coupons.Cli.Drills;

/// <summary>
/// The drill's users reach the app as real ones do: from many addresses. Every per-address limit (nginx's
/// <c>limit_req</c>, the app's <c>Edge:ClicksPerClientPerSecond</c>) would otherwise count the whole crowd as one
/// client and answer most of the final burst 429, a number about the drill's machine and not about the fault (the
/// topology's app-kill drill counted 13,590 such answers). Against a loopback target, each new connection comes from
/// the next of <see cref="Addresses"/> addresses in 127.0.1.0/24 (Linux routes all of 127.0.0.0/8 to lo); against any
/// other target, from this host as usual.
/// </summary>
public static class CrowdHttp
{
    public const int Addresses = 64;

    public static HttpClient Create(Uri target, TimeSpan timeout)
    {
        var next = 0;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var remote = await RemoteAsync(context.DnsEndPoint, ct);
                var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    if (remote.AddressFamily == AddressFamily.InterNetwork && IPAddress.IsLoopback(remote.Address))
                    {
                        var host = (byte)(1 + (Interlocked.Increment(ref next) & int.MaxValue) % Addresses);
                        socket.Bind(new IPEndPoint(new IPAddress([127, 0, 1, host]), 0));
                    }

                    await socket.ConnectAsync(remote, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = target, Timeout = timeout };
    }

    private static async Task<IPEndPoint> RemoteAsync(DnsEndPoint endpoint, CancellationToken ct)
    {
        if (IPAddress.TryParse(endpoint.Host, out var literal))
        {
            return new IPEndPoint(literal, endpoint.Port);
        }

        var addresses = await Dns.GetHostAddressesAsync(endpoint.Host, ct);
        // "localhost" resolves to ::1 first on many hosts: prefer IPv4, where the 127/8 trick works.
        var address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.First();
        return new IPEndPoint(address, endpoint.Port);
    }
}
