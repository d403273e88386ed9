using System.Globalization;
using Garnet;

namespace Coupons.Infrastructure.Redis;

/// <summary>
/// An in-process Garnet server for the embedded dev mode, with Lua enabled so the gate scripts run unchanged.
/// </summary>
public sealed class EmbeddedGarnet : IDisposable
{
    private readonly GarnetServer _server;

    public EmbeddedGarnet(int port)
    {
        Port = port == 0 ? FreePort.Find() : port;
        _server = new GarnetServer(
        [
            "--bind", "127.0.0.1",
            "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--lua", "true",
            "--memory", "256m",
            "--index", "16m",
        ]);
        _server.Start();
    }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    public void Dispose() => _server.Dispose();
}
