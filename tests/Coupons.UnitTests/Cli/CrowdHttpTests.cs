using System.Net;
using System.Net.Sockets;
using System.Text;
using Coupons.Cli.Drills;

namespace Coupons.UnitTests.Cli;

/// <summary>
/// A drill's crowd reaches a loopback target from many addresses, so per-address limits see many clients (the
/// topology's app-kill drill, all from 127.0.0.1, counted 13,590 answers 429 from nginx and the app).
/// </summary>
public sealed class CrowdHttpTests
{
    [Fact]
    public async Task Connections_to_a_loopback_target_come_from_many_addresses()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var seen = new List<IPAddress>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var serving = ServeAsync(listener, seen, stop.Token);

        using var http = CrowdHttp.Create(new Uri($"http://localhost:{port}"), TimeSpan.FromSeconds(10));
        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => http.GetAsync("/")));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        lock (seen)
        {
            Assert.Equal(10, seen.Count); // ten at once: ten connections
            Assert.Equal(10, seen.Distinct().Count());
            Assert.All(seen, a => Assert.True(IPAddress.IsLoopback(a) && !a.Equals(IPAddress.Loopback), $"{a} is not another loopback address"));
        }

        stop.Cancel();
        await serving;
    }

    /// <summary>
    /// Answers each connection's first request 200 after all ten are open (so none is reused), noting where it came
    /// from.
    /// </summary>
    private static async Task ServeAsync(TcpListener listener, List<IPAddress> seen, CancellationToken ct)
    {
        var clients = new List<TcpClient>();
        try
        {
            while (clients.Count < 10)
            {
                var client = await listener.AcceptTcpClientAsync(ct);
                clients.Add(client);
                lock (seen)
                {
                    seen.Add(((IPEndPoint)client.Client.RemoteEndPoint!).Address);
                }
            }

            foreach (var client in clients)
            {
                var stream = client.GetStream();
                var buffer = new byte[4096];
                var head = "";
                while (!head.Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    head += Encoding.ASCII.GetString(buffer, 0, await stream.ReadAsync(buffer, ct));
                }

                await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), ct);
            }
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }
}
