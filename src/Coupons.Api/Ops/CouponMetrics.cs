using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Coupons.Ops;

/// <summary>
/// Every metric the service publishes on /metrics, in one Meter. Names follow OpenTelemetry conventions;
/// the Prometheus exporter turns <c>coupons.issue.requests</c> into <c>coupons_issue_requests_total</c> and
/// adds unit suffixes (<c>_seconds</c>). Alert rules and dashboards in deploy/ depend on these names.
/// </summary>
public sealed class CouponMetrics : IDisposable
{
    public const string MeterName = "Coupons.Api";
    private static readonly InstrumentAdvice<double> LatencyBuckets = new()
    {
        HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    };

    private readonly Meter _meter;

    public CouponMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        IssueRequests = _meter.CreateCounter<long>("coupons.issue.requests", description: "FCFS answers by outcome (accepted, sold_out, already_requested, redis_unavailable, ...).");
        GateDuration = _meter.CreateHistogram("coupons.gate.duration", "s", "Time of the Redis gate decision, including retries.", advice: LatencyBuckets);
        GateBatchSize = _meter.CreateHistogram<int>("coupons.gate.batch.size", description: "Clicks decided by one gate script call (see GateBatcher).",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 250] });
        ProduceDuration = _meter.CreateHistogram("coupons.kafka.produce.duration", "s", "Time until Kafka acknowledged (or refused) a publish.", advice: LatencyBuckets);
        ProduceFailures = _meter.CreateCounter<long>("coupons.kafka.produce.failures", description: "Publishes Kafka did not confirm, by result (not_persisted, ambiguous, circuit_open).");
        Parked = _meter.CreateCounter<long>("coupons.parked", description: "Accepted requests parked in the database because Kafka did not confirm them.");
        Parked.Add(0); // a series from the start: "nothing parked" reads 0, not a missing series a check would take for 0 (issue 26)
        Relayed = _meter.CreateCounter<long>("coupons.relayed", description: "Parked requests relayed to Kafka.");
        ConsumerBatchSize = _meter.CreateHistogram<int>("coupons.consumer.batch.size", description: "Messages per consumer batch.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 5, 10, 50, 100, 250, 500, 1000, 5000] });
        EndToEndDuration = _meter.CreateHistogram("coupons.issue.end_to_end.duration", "s",
            "From the gate accepting a request (the 202) to its decision being committed in the database.", advice: LatencyBuckets);
        ConsumerDecisions = _meter.CreateCounter<long>("coupons.consumer.decisions", description: "Requests decided by the database, by status and reason.");
        ConsumerDbFailures = _meter.CreateCounter<long>("coupons.consumer.db.failures", description: "Batch writes that failed and will be retried.");
        ConsumerRestarts = _meter.CreateCounter<long>("coupons.consumer.restarts", description: "Times the consumer loop failed and started over with a new consumer.");
        ConsumerRestarts.Add(0); // as Parked: a check of "no restart" must not read a missing series as 0
        DeadLettered = _meter.CreateCounter<long>("coupons.consumer.dead.lettered", description: "Malformed messages sent to the dead-letter topic.");
        CacheRequests = _meter.CreateCounter<long>("coupons.cache.requests", description: "Issuable-list cache lookups by result (local_hit, redis_hit, miss, error).");
        ReconcileRepairs = _meter.CreateCounter<long>("coupons.reconcile.repairs", description: "Units returned or holders restored by reconciliation, by kind.");
        GateRebuilds = _meter.CreateCounter<long>("coupons.gate.rebuilds", description: "Gates rebuilt from the database (event start or Redis data loss).");
        GateTrustResets = _meter.CreateCounter<long>("coupons.gate.trust.resets",
            description: "Times the gates were thrown away because the Redis serving them restarted, failed over or was restored since they were verified.");

        // The GC's own view, including DOTNET_GCHeapHardLimit or the container limit: the seed's "heap > 85 %" alert.
        // When this process started (Unix seconds): a counter that restarts and passes its old value between two
        // scrapes shows no drop, but the start time moves; the post-mortem counts from 0 across it.
        var started = new DateTimeOffset(System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
        _meter.CreateObservableGauge("coupons.process.start.time", () => started, "s", "When this process started (Unix time).");
        _meter.CreateObservableGauge("coupons.build.info", () => new Measurement<int>(1,
            new KeyValuePair<string, object?>("version", BuildInfo.Version), new KeyValuePair<string, object?>("commit", BuildInfo.Commit)),
            description: "1, labelled with the version and commit that run (Ops/BuildInfo).");
        GcPause = _meter.CreateHistogram("coupons.gc.pause", "s", "Each GC pause of this process, suspension to resumption (Ops/GcPauses).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1] });
        _meter.CreateObservableGauge("coupons.gc.heap.size", () => GC.GetGCMemoryInfo().HeapSizeBytes, "By", "Managed heap size after the last GC.");
        _meter.CreateObservableGauge("coupons.gc.heap.limit", () => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, "By", "Memory the GC may use (hard limit, container limit or physical memory).");
    }

    public Counter<long> IssueRequests { get; }

    public Histogram<double> GcPause { get; }

    public Histogram<double> GateDuration { get; }

    public Histogram<int> GateBatchSize { get; }

    public Histogram<double> ProduceDuration { get; }

    public Counter<long> ProduceFailures { get; }

    public Counter<long> Parked { get; }

    public Counter<long> Relayed { get; }

    public Histogram<int> ConsumerBatchSize { get; }

    public Histogram<double> EndToEndDuration { get; }

    public Counter<long> ConsumerDecisions { get; }

    public Counter<long> ConsumerDbFailures { get; }

    public Counter<long> DeadLettered { get; }

    public Counter<long> ConsumerRestarts { get; }

    public Counter<long> CacheRequests { get; }

    public Counter<long> ReconcileRepairs { get; }

    public Counter<long> GateRebuilds { get; }

    public Counter<long> GateTrustResets { get; }

    /// <summary>
    /// Registers an observable gauge (state that is read, not counted: dependency up, lag, circuit state).
    /// </summary>
    public void Gauge<T>(string name, Func<IEnumerable<Measurement<T>>> observe, string? unit = null, string? description = null)
        where T : struct => _meter.CreateObservableGauge(name, observe, unit, description);

    /// <summary>A counter a feature owns (its events, counted where they happen).</summary>
    public Counter<long> Counter(string name, string? unit = null, string? description = null) => _meter.CreateCounter<long>(name, unit, description);

    public static double Seconds(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;

    public void Dispose() => _meter.Dispose();
}
