using System.Collections.Concurrent;
using System.Net.Sockets;

namespace Coupons.IntegrationTests.Faults;

public enum ProxyMode
{
    /// <summary>Bytes flow both ways.</summary>
    Pass,

    /// <summary>A partition: connections stay open but nothing arrives, new ones are accepted and hang.</summary>
    Blackhole,

    /// <summary>Every connection is reset, new ones too (a crashed peer or a firewall REJECT).</summary>
    Reset,
}

/// <summary>
/// A Toxiproxy-style TCP proxy on loopback between the app and one dependency, so tests can partition,
/// slow down or reset a real connection without root or tc (which this kernel lacks).
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<TcpClient, byte> _connections = new();
    private readonly Task _acceptLoop;

    public FaultProxy(string targetHost, int targetPort)
    {
        _target = new IPEndPoint(IPAddress.Parse(targetHost == "localhost" ? "127.0.0.1" : targetHost), targetPort);
        _listener.Start();
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>A proxy in front of the test stack's Redis; point the app at <see cref="Endpoint"/>.</summary>
    public static FaultProxy ForRedis()
    {
        var redis = TestStack.Redis.Split(':');
        return new FaultProxy(redis[0], int.Parse(redis[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// A proxy in front of the test stack's MariaDB; point the app at <see cref="MySqlConnectionString"/>.
    /// </summary>
    public static FaultProxy ForMySql()
    {
        var builder = new MySqlConnector.MySqlConnectionStringBuilder(TestStack.MySql);
        return new FaultProxy(builder.Server, (int)builder.Port);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>The test stack's MariaDB connection string, through this proxy.</summary>
    public string MySqlConnectionString =>
        new MySqlConnector.MySqlConnectionStringBuilder(TestStack.MySql) { Server = "127.0.0.1", Port = (uint)Port }.ConnectionString;

    public ProxyMode Mode { get; private set; } = ProxyMode.Pass;

    public TimeSpan Latency { get; set; } = TimeSpan.Zero;

    private int _resetNextReply;

    /// <summary>
    /// One shot: the next bytes the target sends back are not delivered; the client's connection is reset instead.
    /// The request reached the target and ran there; the client only learns that its connection broke.
    /// </summary>
    public void ResetNextReply() => Volatile.Write(ref _resetNextReply, 1);

    public void SetMode(ProxyMode mode)
    {
        Mode = mode;
        if (mode == ProxyMode.Reset)
        {
            foreach (var client in _connections.Keys)
            {
                // A connection closing by itself meanwhile has no socket any more (clean clone R: a
                // NullReferenceException here failed CampaignUnreadTests); it needs no reset.
                if (client.Client is { } socket)
                {
                    try
                    {
                        socket.LingerState = new LingerOption(true, 0); // RST, not FIN
                    }
                    catch (ObjectDisposedException)
                    {
                    }
                }

                client.Close();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var client in _connections.Keys)
        {
            client.Close();
        }

        await _acceptLoop.ContinueWith(static _ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            if (Mode == ProxyMode.Reset)
            {
                inbound.Client.LingerState = new LingerOption(true, 0);
                inbound.Close();
                continue;
            }

            _ = Task.Run(() => ServeAsync(inbound));
        }
    }

    private async Task ServeAsync(TcpClient inbound)
    {
        using var outbound = new TcpClient();
        _connections[inbound] = 0;
        _connections[outbound] = 0;
        try
        {
            await outbound.ConnectAsync(_target, _stop.Token);
            var a = PumpAsync(inbound.GetStream(), outbound.GetStream(), reply: null);
            var b = PumpAsync(outbound.GetStream(), inbound.GetStream(), reply: inbound);
            await Task.WhenAny(a, b);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Either side went away: the other one is closed below, like a real broken connection.
        }
        finally
        {
            _connections.TryRemove(inbound, out _);
            _connections.TryRemove(outbound, out _);
            inbound.Close();
        }
    }

    /// <param name="reply">The client's socket when this pump carries the target's replies to it, else null.</param>
    private async Task PumpAsync(NetworkStream from, NetworkStream to, TcpClient? reply)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await from.ReadAsync(buffer, _stop.Token);
            if (read == 0)
            {
                return;
            }

            // A partition swallows bytes silently and keeps the socket open, so the peer only learns by timing out.
            while (Mode == ProxyMode.Blackhole)
            {
                await Task.Delay(50, _stop.Token);
            }

            if (Latency > TimeSpan.Zero)
            {
                await Task.Delay(Latency, _stop.Token);
            }

            if (reply is not null && Interlocked.Exchange(ref _resetNextReply, 0) == 1)
            {
                reply.Client.LingerState = new LingerOption(true, 0); // RST, not FIN
                reply.Close();
                return;
            }

            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }
}
