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
    /// How long a full pass waits for the pipeline to deliver what the coupon accepted before it, before it skips the
    /// round.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:10:00")]
    public TimeSpan DrainWait { get; set; } = TimeSpan.FromSeconds(10);
}
