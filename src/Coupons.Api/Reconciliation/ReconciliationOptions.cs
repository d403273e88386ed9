using System.ComponentModel.DataAnnotations;

namespace Coupons.Reconciliation;

public sealed class ReconciliationOptions
{
    public const string Section = "Reconciliation";

    /// <summary>How often open coupons' gates are checked (and rebuilt when missing).</summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "01:00:00")]
    public TimeSpan GateCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often drift between Redis and the database is repaired for open coupons.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Between full passes, a round only compares counts (see <see cref="Reconciler.ReconcileIfDriftedAsync"/>);
    /// at least this often every open coupon gets a full pass anyway.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan FullPassInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// An accepted request with no trace in the database after this long (with the pipeline drained)
    /// never entered the pipeline, e.g. the app died between the gate and the publish: its unit is given back.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LeakGracePeriod { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How far apart the instances' clocks may be. Each instance judges "open" by its own clock, so gates are kept up (rebuilt
    /// when missing, thrown away when Redis lost history) for every coupon open by a clock within this margin of its own:
    /// a gate ready a little early or kept a little late takes no click outside the sale's window (the click checks it
    /// first), while a stale gate left trusted because one clock said "not open yet" hands out second 202s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ClockSkewMargin { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a full pass waits for the pipeline to deliver what the coupon accepted before it, before it skips the round.</summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:10:00")]
    public TimeSpan DrainWait { get; set; } = TimeSpan.FromSeconds(10);
}
