using Coupons.IntegrationTests.Faults;

namespace Coupons.IntegrationTests.Topology;

/// <summary>
/// One HA drill on the production topology: 300 users click for 150 coupons through nginx at a steady rate, a fault
/// is injected 3 s in, and once it is over the event is settled and the invariants (design.md §2) are checked in
/// MariaDB. The outcome line (what broke, recovery, lost, duplicates) goes to the run's fault summary.
/// </summary>
public sealed class TopologyDrill(TopologyFixture topology)
{
    public const int Stock = 150;
    public const int Users = 300;

    /// <summary>Runs the drill. <paramref name="inject"/> breaks something and returns when it is healed (or heals by
    /// itself).</summary>
    /// <param name="operatorReplica">The replica whose admin API settles the event (the other one may be the one
    /// killed).</param>
    /// <param name="recoveredAt">When the fault is over from the service's point of view; recovery is measured from
    /// it.</param>
    public async Task<(FaultOutcome Outcome, SteadyLoad Load)> RunAsync(string scenario, Func<Task<DateTime>> inject, int operatorReplica = 0,
        params HttpStatusCode[] alsoRetried)
    {
        await topology.WaitUntilServingAsync();
        var api = new ApiDriver(topology.Edge, topology.AdminClient(operatorReplica));
        var couponId = await api.CreateOpenCouponAsync(Stock);
        var probeCouponId = await api.CreateOpenCouponAsync(10_000);
        var users = await api.CreateUsersAsync(Users);
        var probeUsers = await api.CreateUsersAsync(300);
        var load = new SteadyLoad(alsoRetried);

        var running = load.RunAsync(() => topology.Edge, couponId, users, spread: TimeSpan.FromSeconds(15), deadline: TimeSpan.FromSeconds(150));
        await Task.Delay(TimeSpan.FromSeconds(3)); // the fault lands mid-load
        var recoveredAt = await inject();
        var recovery = await FaultOutcome.MeasureRecoveryAsync(() => topology.Edge, probeCouponId, probeUsers, recoveredAt, TimeSpan.FromSeconds(60));
        await running;
        // The topology runs the default reconciliation (every 30 s, 60 s of grace): the service may take that long to
        // give a leak back.
        var outcome = await FaultOutcome.SettleAndAssertAsync($"topology: {scenario}", api, () => topology.Edge, couponId, Stock, Users, load, recovery,
            topology.MySql, selfRepair: TimeSpan.FromSeconds(150));
        return (outcome, load);
    }
}
