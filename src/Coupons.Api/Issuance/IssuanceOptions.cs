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
}
