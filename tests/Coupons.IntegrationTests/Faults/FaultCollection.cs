namespace Coupons.IntegrationTests.Faults;

/// <summary>Fault tests break shared processes, so they run alone, after the other collections.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultCollection
{
    public const string Name = "faults";

    /// <summary>Settings every fault test's app uses: quick repair loops so a scenario settles in seconds.</summary>
    public static Dictionary<string, string?> FastRepair() => new()
    {
        ["Reconciliation:Interval"] = "00:00:01",
        ["Reconciliation:LeakGracePeriod"] = "00:00:02",
        ["Reconciliation:GateCheckInterval"] = "00:00:00.5",
    };
}
