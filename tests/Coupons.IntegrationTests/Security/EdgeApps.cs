namespace Coupons.IntegrationTests.Security;

/// <summary>
/// Two real apps (Kestrel on loopback ports) configured as at the edge of production: <see cref="Proxied"/> believes
/// forwarded headers from 127.0.0.1 (as from nginx on the same host) and serves its admin API on a port of its own;
/// <see cref="Direct"/> trusts no proxy, as when clients reach it directly. Both have small per-client limits (3 a
/// second), so a test can see which address a call counted against.
/// </summary>
public sealed class EdgeApps : IAsyncLifetime
{
    public const string RotatedKeyId = "ops-2026-12";
    public const string RotatedKey = "rotated-admin-key-0123456789abcdef-not-a-secret";
    public const string AdminRole = "coupons-admin";
    public const int PerClientPerSecond = 3;

    public AppProcess Proxied { get; private set; } = null!;

    public AppProcess Direct { get; private set; } = null!;

    public int ProxiedAdminPort { get; private set; }

    /// <summary>
    /// Admin calls to <see cref="Proxied"/>'s admin port, each from a fresh forwarded address (so setup never meets the
    /// admin limit).
    /// </summary>
    public HttpClient ProxiedAdmin { get; private set; } = null!;

    /// <summary>Public calls to <see cref="Proxied"/>, each from a fresh forwarded address.</summary>
    public HttpClient ProxiedPublic { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        ProxiedAdminPort = FreeTcpPort.Find();
        var limits = new Dictionary<string, string>
        {
            ["Edge:ClicksPerClientPerSecond"] = $"{PerClientPerSecond}",
            ["Edge:ReadsPerClientPerSecond"] = $"{PerClientPerSecond}",
            ["Edge:RequestHeadersTimeout"] = "00:00:02",
        };
        var proxied = new Dictionary<string, string>(limits)
        {
            ["Edge:KnownProxies:0"] = "127.0.0.1",
            ["Edge:AdminPerClientPerSecond"] = $"{PerClientPerSecond}",
            ["Admin:Url"] = $"http://127.0.0.1:{ProxiedAdminPort}",
            ["Admin:Keys:0:Id"] = RotatedKeyId,
            ["Admin:Keys:0:Key"] = RotatedKey,
            ["Admin:TokenRole"] = AdminRole,
        };
        var proxiedStart = AppProcess.StartAsync(FreeTcpPort.Find(), proxied, "edge-proxied");
        var directStart = AppProcess.StartAsync(FreeTcpPort.Find(), limits, "edge-direct");
        Proxied = await proxiedStart;
        Direct = await directStart;
        ProxiedAdmin = AdminClientFor(ProxiedAdminPort, TestStack.AdminKey);
        ProxiedPublic = FreshAddressClient(Proxied.Port);
    }

    public static HttpClient AdminClientFor(int port, string key)
    {
        var client = FreshAddressClient(port);
        client.DefaultRequestHeaders.Add("X-Admin-Key", key);
        return client;
    }

    private static HttpClient FreshAddressClient(int port) => new(new FreshForwardedAddress { InnerHandler = new SocketsHttpHandler() })
    {
        BaseAddress = new Uri($"http://127.0.0.1:{port}"),
        Timeout = TimeSpan.FromSeconds(60),
    };

    public async Task DisposeAsync()
    {
        ProxiedAdmin.Dispose();
        ProxiedPublic.Dispose();
        await Proxied.DisposeAsync();
        await Direct.DisposeAsync();
    }

    /// <summary>A new X-Forwarded-For address for every request that does not name one itself.</summary>
    private sealed class FreshForwardedAddress : DelegatingHandler
    {
        private static int _next;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!request.Headers.Contains("X-Forwarded-For"))
            {
                var n = Interlocked.Increment(ref _next);
                request.Headers.Add("X-Forwarded-For", new IPAddress([10, 77, (byte)(n >> 8), (byte)n]).ToString());
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
