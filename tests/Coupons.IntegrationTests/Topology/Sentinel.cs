extern alias apphost;

using System.Globalization;
using System.Net.Sockets;
using apphost::Coupons.AppHost;

namespace Coupons.IntegrationTests.Topology;

/// <summary>Asks the sentinels which Redis is primary now (<c>SENTINEL get-master-addr-by-name</c>).</summary>
public static class Sentinel
{
    public static async Task<int> PrimaryPortAsync(TopologyOptions ports)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", ports.SentinelPort);
        using var reader = new StreamReader(tcp.GetStream());
        await using var writer = new StreamWriter(tcp.GetStream()) { AutoFlush = true, NewLine = "\r\n" };
        await writer.WriteLineAsync($"SENTINEL get-master-addr-by-name {TopologyOptions.SentinelService}");
        // *2 / $len / host / $len / port
        var lines = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            lines.Add(await reader.ReadLineAsync() ?? "");
        }

        return int.Parse(lines[4], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// What the Redis server on <paramref name="port"/> says it is (<c>ROLE</c>): master, slave or sentinel;
    /// "unreachable" while it cannot say. A server the sentinels are turning into a replica drops its clients at that
    /// moment (a suite run met "Connection reset by peer" there), so a caller polling for the new role reads again.
    /// </summary>
    public static async Task<string> RoleAsync(int port)
    {
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", port);
            using var reader = new StreamReader(tcp.GetStream());
            await using var writer = new StreamWriter(tcp.GetStream()) { AutoFlush = true, NewLine = "\r\n" };
            await writer.WriteLineAsync("ROLE");
            await reader.ReadLineAsync(); // *N
            await reader.ReadLineAsync(); // $len
            return await reader.ReadLineAsync() ?? "";
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            return "unreachable";
        }
    }
}
