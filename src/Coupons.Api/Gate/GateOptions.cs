using System.ComponentModel.DataAnnotations;

namespace Coupons.Gate;

public sealed class GateOptions
{
    public const string Section = "Gate";

    /// <summary>Most clicks one gate script call decides (see <see cref="GateBatcher"/>).</summary>
    [Range(1, 1_000)]
    public int MaxBatch { get; set; } = 64;

    /// <summary>
    /// Gate script calls in flight at once per instance. Clicks arriving meanwhile wait for the next call, which is
    /// what forms batches under load; when idle a click is sent at once.
    /// </summary>
    [Range(1, 64)]
    public int CallsInFlight { get; set; } = 4;
}
