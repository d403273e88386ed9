using System.ComponentModel.DataAnnotations;

namespace Coupons.Issuance;

public sealed class IssuanceOptions
{
    public const string Section = "Issuance";

    /// <summary>
    /// FCFS requests working at once per instance. A bulkhead: a burst queues here, in the app, where waiting
    /// is cheap, instead of piling thousands of calls onto Redis where each one would hit its timeout.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxConcurrentRequests { get; set; } = 256;

    /// <summary>FCFS requests allowed to wait for a slot; beyond this the instance sheds load with 429.</summary>
    [Range(0, 1_000_000)]
    public int MaxQueuedRequests { get; set; } = 20_000;

    /// <summary>
    /// FCFS clicks one user may make per second (token bucket, burst of the same size); more get 429.
    /// </summary>
    [Range(1, 10_000)]
    public int PerUserPerSecond { get; set; } = 5;

    /// <summary>Reads of one person's coupons per second (same token bucket); more get 429.</summary>
    [Range(1, 10_000)]
    public int ReadsPerUserPerSecond { get; set; } = 10;

    /// <summary>
    /// Most people the per-person limits track at once, whatever ids are sent (bounded memory: about 150 bytes each).
    /// An entry is forgotten once its allowance refills (0.2 s after a click at 5/s), so only a flood of distinct ids
    /// far beyond a sale's click rate fills it; newcomers are then refused with 429 until room frees up.
    /// </summary>
    [Range(1_000, 10_000_000)]
    public int MaxTrackedPeople { get; set; } = 100_000;

    /// <summary>Reads that reach MySQL (a user's coupons, a request's status) working at once per instance.</summary>
    [Range(1, 10_000)]
    public int MaxConcurrentReads { get; set; } = 64;

    /// <summary>Reads allowed to wait for a slot; beyond this, 429.</summary>
    [Range(0, 1_000_000)]
    public int MaxQueuedReads { get; set; } = 1_000;

    /// <summary>
    /// MySQL lookups of users the Redis registry lacks, at once per instance. Unknown ids cost one each (briefly
    /// remembered per id); this bounds how much of the pool a flood of made-up ids can take. Beyond it (and a queue of
    /// ten times as many), 429.
    /// </summary>
    [Range(1, 1_000)]
    public int MaxConcurrentUserLookups { get; set; } = 16;


    /// <summary>
    /// Status streams (a request's outcome pushed as server-sent events) open at once per instance; beyond this, 503
    /// STATUS_STREAMS_FULL and the client polls. Each costs about 20 KB of managed heap (Kestrel's connection buffers)
    /// and as much again in nginx: 2,000 keep an instance well inside a 256 MB heap and nginx's 128 MB with two
    /// replicas (measured, design.md §3, Status pushed). Raise it only with the heap and the proxy's memory.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxStatusStreams { get; set; } = 2_000;

    /// <summary>
    /// How often one query per instance asks the database about every request a stream waits on (not one per stream).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:05")]
    public TimeSpan StatusStreamPoll { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// A waiting stream repeats PENDING this often, so proxies and load balancers do not close an idle connection (at
    /// most 30 s: nginx's proxy_read_timeout here is 35 s).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:30")]
    public TimeSpan StatusStreamHeartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The longest one stream stays open; it then ends on PENDING and the client opens another (an EventSource does so
    /// by itself), so a connection is never held for ever by a request the consumer is far behind on.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")]
    public TimeSpan StatusStreamLifetime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long FCFS keeps accepting while MySQL cannot be reached: coupon definitions read before the outage stand in,
    /// the gate decides, accepted requests wait in Kafka and are written when MySQL returns. After this, clicks are
    /// refused with 503 DATABASE_UNAVAILABLE, bounding the backlog (and the wait for ISSUED) an outage can build.
    /// Kafka's retention of coupon.issue.requested must be far longer. Zero refuses as soon as a definition is stale (5
    /// s).
    /// </summary>
    public TimeSpan MaxDatabaseOutage { get; set; } = TimeSpan.FromMinutes(10);
}
