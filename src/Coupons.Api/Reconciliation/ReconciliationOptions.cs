namespace Coupons.Reconciliation;

public sealed class ReconciliationOptions
{
    public const string Section = "Reconciliation";

    /// <summary>How often open coupons' gates are checked (and rebuilt when missing).</summary>
    public TimeSpan GateCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often drift between Redis and the database is repaired for open coupons.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Between full passes, a round only compares counts (see <see cref="Reconciler.ReconcileIfDriftedAsync"/>);
    /// at least this often every open coupon gets a full pass anyway.
    /// </summary>
    public TimeSpan FullPassInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// An accepted request with no trace in the database after this long (with the pipeline drained)
    /// never entered the pipeline, e.g. the app died between the gate and the publish: its unit is given back.
    /// </summary>
    public TimeSpan LeakGracePeriod { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a full pass waits for the pipeline to deliver what the coupon accepted before it, before it skips the round.</summary>
    public TimeSpan DrainWait { get; set; } = TimeSpan.FromSeconds(10);
}
