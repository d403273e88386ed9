using System.ComponentModel.DataAnnotations;

namespace Coupons.Outbox;

public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>
    /// Whether this instance publishes the outbox (one instance at a time does, whichever takes the lock).
    /// </summary>
    public bool RunRelay { get; set; } = true;

    /// <summary>How often the relay looks for events to publish.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Events published per round at most.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// How long a published event stays in the table (for a post-mortem) before the relay deletes it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan KeepPublished { get; set; } = TimeSpan.FromDays(1);
}
