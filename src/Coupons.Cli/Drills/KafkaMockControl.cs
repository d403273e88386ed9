using System.Net.Sockets;

namespace Coupons.Cli.Drills;

/// <summary>
/// The Kafka mock host's control port: one text command per line ("down all", "up all"), answered "ok ...".
/// </summary>
public static class KafkaMockControl
{
    public static async Task SendAsync(string address, string command, CancellationToken ct)
    {
        var (host, port) = Endpoint(address);
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, ct);
        await using var stream = client.GetStream();
        await using var writer = new StreamWriter(stream) { AutoFlush = true };
        using var reader = new StreamReader(stream);
        await writer.WriteLineAsync(command.AsMemory(), ct);
        var reply = await reader.ReadLineAsync(ct);
        if (reply is null || !reply.StartsWith("ok", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Kafka mock at {address} answered '{reply}' to '{command}'");
        }
    }

    private static (string Host, int Port) Endpoint(string address)
    {
        var colon = address.LastIndexOf(':');
        return (address[..colon], int.Parse(address[(colon + 1)..]));
    }
}
