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

    /// <summary>FCFS clicks one user may make per second (token bucket, burst of the same size); more get 429.</summary>
    [Range(1, 10_000)]
    public int PerUserPerSecond { get; set; } = 5;

    /// <summary>Most clicks one gate script call decides (see <see cref="GateBatcher"/>).</summary>
    [Range(1, 1_000)]
    public int GateMaxBatch { get; set; } = 64;

    /// <summary>
    /// Gate script calls in flight at once per instance. Clicks arriving meanwhile wait for the next call, which is
    /// what forms batches under load; when idle a click is sent at once.
    /// </summary>
    [Range(1, 64)]
    public int GateCallsInFlight { get; set; } = 4;
}
