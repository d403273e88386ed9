using System.Diagnostics.Metrics;

namespace Coupons.Infrastructure.Edge;

/// <summary>
/// Load shedding by memory. Every open connection and every queued click holds heap; a spike larger than the heap can
/// hold used to end in OutOfMemory, and the process with it (issue 24: 20,000 connections at one instance under the
/// 256 MB cap, a replica of the topology under 10,000 each). So once the heap left by a collection reaches
/// <see cref="EdgeOptions.ShedAtHeapPercent"/> of what the GC may use (DOTNET_GCHeapHardLimit, a container's limit,
/// or the machine's), new public requests are answered 429 <c>RATE_LIMITED</c> with Retry-After and their connection is
/// closed, until a collection leaves less than <see cref="EdgeOptions.ResumeBelowHeapPercent"/>. Requests already in
/// go on; health, metrics, the admin API and checkout are never shed, so orchestrators and on-call still see and act.
/// </summary>
public sealed partial class MemoryPressure
{
    private readonly EdgeOptions _options;
    private readonly ILogger<MemoryPressure> _logger;
    private int _seenCollections = -1;
    private volatile bool _shedding;
    private long _shed;
    private long _lastFullCollectionAsked;

    public MemoryPressure(IOptions<EdgeOptions> options, ILogger<MemoryPressure> logger, IMeterFactory meters)
    {
        _options = options.Value;
        _logger = logger;
        // The factory hands out (and disposes) the one meter of this name, shared with Ops.CouponMetrics.
        var meter = meters.Create(MeterName);
        meter.CreateObservableCounter("coupons.requests.shed", () => Interlocked.Read(ref _shed), description:
            "Public requests refused (429) because the heap was near its limit (MemoryPressure).");
        meter.CreateObservableGauge("coupons.requests.shedding", () => _shedding ? 1 : 0, description:
            "1 while public requests are shed because the heap is near its limit.");
    }

    /// <summary>
    /// The service's meter (Ops.CouponMetrics.MeterName), named here so the edge does not depend on Ops.
    /// </summary>
    public const string MeterName = "Coupons.Api";

    /// <summary>
    /// Whether a new public request is to be shed. Re-read once per collection (a collection is the only moment the
    /// heap's live size is known), so a request pays one counter read.
    /// </summary>
    public bool Shedding
    {
        get
        {
            var collections = GC.CollectionCount(0); // every collection includes generation 0
            if (collections != Volatile.Read(ref _seenCollections))
            {
                Volatile.Write(ref _seenCollections, collections);
                var info = GC.GetGCMemoryInfo();
                var shedding = Decide(_shedding, info.HeapSizeBytes, info.TotalAvailableMemoryBytes, _options.ShedAtHeapPercent, _options.ResumeBelowHeapPercent);
                if (shedding != _shedding)
                {
                    _shedding = shedding;
                    Changed(_logger, shedding ? "starts" : "stops", info.HeapSizeBytes / (1024 * 1024), info.TotalAvailableMemoryBytes / (1024 * 1024));
                }
            }

            if (_shedding)
            {
                AskForFullCollection();
            }

            return _shedding;
        }
    }

    /// <summary>
    /// While shedding, what is left after young collections may be objects that died in generation 2, which only a
    /// full collection finds (and shed requests allocate too little to bring one on): ask for one, at most every 5 s,
    /// letting the GC decide whether it is worth it (optimized, not blocking).
    /// </summary>
    private void AskForFullCollection()
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastFullCollectionAsked);
        if (now - last >= 5_000 && Interlocked.CompareExchange(ref _lastFullCollectionAsked, now, last) == last)
        {
            GC.Collect(2, GCCollectionMode.Optimized, blocking: true, compacting: true);
        }
    }

    /// <summary>
    /// Shedding starts at <paramref name="shedAtPercent"/> and stops below <paramref name="resumeBelowPercent"/>
    /// (a gap, so it does not flap on every collection).
    /// </summary>
    public static bool Decide(bool shedding, long heapBytes, long limitBytes, int shedAtPercent, int resumeBelowPercent)
    {
        if (limitBytes <= 0)
        {
            return false; // no collection yet: nothing known
        }

        return heapBytes * 100 >= limitBytes * (shedding ? resumeBelowPercent : shedAtPercent);
    }

    public void CountShed() => Interlocked.Increment(ref _shed);

    [LoggerMessage(EventId = 8201, Level = LogLevel.Warning,
        Message = "Memory load shedding {Change}: the heap after the last collection is {HeapMiB} MiB of {LimitMiB} MiB the GC may use")]
    private static partial void Changed(ILogger logger, string change, long heapMiB, long limitMiB);
}

public static class MemorySheddingMiddleware
{
    // The one 429's words (RateLimitedResponse), serialised once: a shed request allocates nothing for its answer.
    internal static readonly byte[] Body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
    {
        ["type"] = "https://tools.ietf.org/html/rfc6585#section-4",
        ["title"] = Http.RateLimitedResponse.Title,
        ["status"] = StatusCodes.Status429TooManyRequests,
        ["detail"] = Http.RateLimitedResponse.Detail,
        ["code"] = Http.ProblemCodes.RateLimited,
    });

    /// <summary>
    /// First in the pipeline: a shed request costs its parsing and a constant answer, nothing else (no body read, no
    /// authentication, no queue), and its connection is closed so that its buffers go too.
    /// </summary>
    public static WebApplication UseMemoryShedding(this WebApplication app)
    {
        var pressure = app.Services.GetRequiredService<MemoryPressure>();
        app.Use((context, next) =>
        {
            if (!pressure.Shedding || NeverShed(context.Request.Path))
            {
                return next(context);
            }

            pressure.CountShed();
            var response = context.Response;
            response.StatusCode = StatusCodes.Status429TooManyRequests;
            response.Headers.RetryAfter = Http.RetryAfterMiddleware.DefaultSeconds;
            response.Headers.Connection = "close";
            response.ContentType = "application/problem+json";
            response.ContentLength = Body.Length;
            return response.Body.WriteAsync(Body, context.RequestAborted).AsTask();
        });
        return app;
    }

    /// <summary>
    /// What orchestrators and on-call need most when memory is short (health, also as /actuator/health, metrics, the
    /// admin API), and the order service's checkout (use and restore: few, money, under a bulkhead of their own).
    /// </summary>
    private static bool NeverShed(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/actuator", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/api/admin", StringComparison.OrdinalIgnoreCase)
        || IsCheckout(path);

    /// <summary>/api/coupons/{couponId}/use/{publicId} or .../restore/{publicId}, exactly.</summary>
    private static bool IsCheckout(PathString path)
    {
        if (!path.StartsWithSegments("/api/coupons", StringComparison.OrdinalIgnoreCase, out var rest) || rest.Value is not { } tail)
        {
            return false;
        }

        var segments = tail.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length == 3 && (segments[1].Equals("use", StringComparison.OrdinalIgnoreCase) || segments[1].Equals("restore", StringComparison.OrdinalIgnoreCase));
    }
}
