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

    /// <summary>
    /// How far apart the instances' clocks may be. Each instance judges "open" by its own clock, so gates are kept up
    /// (rebuilt when missing, thrown away when Redis lost history) for every coupon open by a clock within this margin
    /// of its own: a gate ready a little early or kept a little late takes no click outside the sale's window (the
    /// click checks it first), while a stale gate left trusted because one clock said "not open yet" hands out second
    /// 202s. It also bounds which sales may have taken clicks before a Redis was verified (missing-for.lua).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ClockSkewMargin { get; set; } = TimeSpan.FromMinutes(10);
}
