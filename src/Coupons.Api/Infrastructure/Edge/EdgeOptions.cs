using System.ComponentModel.DataAnnotations;

namespace Coupons.Infrastructure.Edge;

/// <summary>
/// Where the app meets the network (design.md §3, Edge; §9): which proxies may name the client, how much a client may
/// send and how slowly, and how often one client (an IP) may call. Per-person limits are the Issuance options'.
/// </summary>
public sealed class EdgeOptions
{
    public const string Section = "Edge";

    /// <summary>
    /// Proxies (IP addresses) whose <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c> are believed. Nothing else is,
    /// not even loopback: a client that sends the header itself keeps its own address. Set it to nginx's address(es).
    /// </summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>
    /// Networks (CIDR, e.g. <c>10.0.0.0/8</c>) whose forwarded headers are believed, as <see cref="KnownProxies"/>.
    /// </summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>Trusted proxies in a row that may each add an address (nginx alone: 1).</summary>
    [Range(1, 10)]
    public int ForwardLimit { get; set; } = 1;

    /// <summary>
    /// Largest body a public endpoint takes. None reads one (a click has no body); larger is 413 at once.
    /// </summary>
    [Range(0, 1024 * 1024)]
    public long MaxPublicBodyBytes { get; set; } = 1024;

    /// <summary>
    /// Longest a request may take before it is answered 503 REQUEST_TIMEOUT; nginx's proxy_read_timeout is a little
    /// longer.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A client must have sent all its headers within this, or the connection is closed (slowloris).</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// An idle keep-alive connection is closed after this (longer than nginx's upstream keepalive_timeout, 60 s).
    /// </summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(75);

    /// <summary>
    /// Open connections this instance holds at most; one more is closed as soon as it is accepted. Unset (the default),
    /// it follows the memory the GC may use (<see cref="ConnectionsFor"/>): every open connection with a request in it
    /// holds heap, and more of them than the heap holds ended in OutOfMemory (issue 24: 20,000 at one instance under
    /// the 256 MB cap; 12,000 under 128 MB in a test). Set, it must stay below the process's file limit, which the
    /// stores' connections need too.
    /// </summary>
    [Range(1_000, 1_000_000)]
    public int? MaxConnections { get; set; }

    /// <summary>
    /// The heap one connection with a request in flight is given: Kestrel's state, its buffers, the request's objects
    /// while it waits in a bulkhead.
    /// </summary>
    public const int HeapPerConnection = 24 * 1024;

    /// <summary>
    /// What the service holds whatever its connections (stores' clients, caches, the runtime): ~30-50 MB.
    /// </summary>
    public const long HeapForTheService = 32L * 1024 * 1024;

    /// <summary>
    /// The connection limit for a GC that may use <paramref name="gcLimitBytes"/>: 60 % of what is left after
    /// <see cref="HeapForTheService"/>, at <see cref="HeapPerConnection"/> each (the rest is a GC's headroom), between
    /// 1,000 and 50,000 (a 256 MB cap: 5,734; 8 GB or more: 50,000). Measured: 12,000 clicks at once under 128 MB ran
    /// out with 60 % of the whole heap at 16 KB (4,915 connections) and, in one CI run of six, at 24 KB (3,276):
    /// ~20 KB a request in flight on top of ~50 MB of the service's own.
    /// </summary>
    public static int ConnectionsFor(long gcLimitBytes) =>
        (int)Math.Clamp((gcLimitBytes - HeapForTheService) / 100 * 60 / HeapPerConnection, 1_000, 50_000);

    /// <summary>What Kestrel is given: the setting, or what this process's memory holds.</summary>
    public int EffectiveMaxConnections => MaxConnections ?? ConnectionsFor(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);

    /// <summary>
    /// New public requests are shed (429, connection closed) once a collection leaves the heap at this share of what
    /// the GC may use (<see cref="MemoryPressure"/>), rather than the process dying of OutOfMemory in a spike.
    /// </summary>
    [Range(10, 99)]
    public int ShedAtHeapPercent { get; set; } = 80;

    /// <summary>
    /// Shedding stops once a collection leaves the heap below this share (under <see cref="ShedAtHeapPercent"/>).
    /// </summary>
    [Range(5, 98)]
    public int ResumeBelowHeapPercent { get; set; } = 70;

    /// <summary>
    /// Connections the kernel queues before Kestrel accepts them (listen backlog; the kernel caps it at
    /// net.core.somaxconn). Kestrel's 512 is a quarter of a second of a 2,000-a-second ramp: a GC pause or a busy core
    /// in it and clients' SYNs are dropped and retried a second later.
    /// </summary>
    [Range(128, 65_535)]
    public int ListenBacklog { get; set; } = 4_096;

    /// <summary>A body sent slower than this (after a 5 s grace) is cut off.</summary>
    [Range(1, 1_000_000)]
    public double MinRequestBodyBytesPerSecond { get; set; } = 240;

    [Range(8, 1000)]
    public int MaxRequestHeaderCount { get; set; } = 64;

    [Range(1024, 1024 * 1024)]
    public int MaxRequestHeadersTotalSize { get; set; } = 16 * 1024;

    /// <summary>
    /// FCFS clicks per second from one client address (burst of the same size); more get 429. Offices and mobile
    /// carriers put many people behind one address: keep it well above one person's limit.
    /// </summary>
    [Range(1, 10_000_000)]
    public int ClicksPerClientPerSecond { get; set; } = 100;

    /// <summary>Reads (catalog, a user's coupons, a request's status) per second from one client address.</summary>
    [Range(1, 10_000_000)]
    public int ReadsPerClientPerSecond { get; set; } = 200;

    /// <summary>
    /// Uses and restores per second from one client address: the order service's few addresses carry every checkout,
    /// so this is far above a read's allowance (the token's role and the redemption bulkhead come after it).
    /// </summary>
    [Range(1, 10_000_000)]
    public int CheckoutPerClientPerSecond { get; set; } = 5_000;

    /// <summary>
    /// Admin calls per second from one client address, counted before the key is checked (guessing keys is slow).
    /// </summary>
    [Range(1, 10_000_000)]
    public int AdminPerClientPerSecond { get; set; } = 20;

    /// <summary>
    /// Most client addresses the per-client limits track at once (bounded memory whatever addresses are seen).
    /// </summary>
    [Range(1_000, 10_000_000)]
    public int MaxTrackedClients { get; set; } = 100_000;
}
