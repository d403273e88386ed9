namespace Coupons.Cli.Drills;

/// <summary>How one drill breaks a stack and heals it again, described for the report.</summary> <remarks>A fault
/// healed by <see cref="Nothing"/> is one the service must ride out by itself, so recovery is timed from the injection;
/// otherwise from the heal.</remarks>
public sealed record Fault(string How, Func<CancellationToken, Task> InjectAsync, Func<CancellationToken, Task> HealAsync)
{
    public bool HealsItself => HealAsync == Nothing;

    /// <summary>What heals by itself (a failover) or is the operator's to restart (a killed replica).</summary>
    public static Task Nothing(CancellationToken ct) => Task.CompletedTask;
}
