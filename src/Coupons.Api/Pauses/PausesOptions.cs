using System.ComponentModel.DataAnnotations;

namespace Coupons.Pauses;

public sealed class PausesOptions
{
    public const string Section = "Pauses";

    /// <summary>
    /// How often each instance reads the pauses another one may have written. A pause is honoured by every instance
    /// within a second (SPEC §3): at most half of it, leaving the rest for the read itself; the instance that takes the
    /// admin call honours it at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:00.500")]
    public TimeSpan Refresh { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The Retry-After a click on a paused sale hears, in seconds.</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 5;
}
