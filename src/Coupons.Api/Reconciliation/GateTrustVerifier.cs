using Coupons.Catalog;
using Coupons.Gate;
using Coupons.Ops;

namespace Coupons.Reconciliation;

/// <summary>
/// Refuses to trust gates that a Redis server did not keep since they were verified. A Redis that restarted (AOF
/// <c>everysec</c> loses up to a second of writes), failed over to a replica (which may lack the last writes) or was
/// restored from a snapshot can hold gates that look fine and are stale: stock too high, holders missing. Phantom units
/// would then become 202s that the database rejects, and a forgotten holder could get a second 202. The gate script
/// itself refuses clicks while the trust mark is not the serving Redis's run_id (see trust.lua), so there is no window;
/// this throws the open coupons' gates away and sets the mark, and <see cref="GateKeeperLoop"/> rebuilds them from the
/// database once the pipeline has delivered what was in flight, exactly as after Redis restarted empty.
/// </summary>
public sealed partial class GateTrustVerifier(
    CouponRepository coupons, GateInspector gate, GateRepair repair, IOptions<GateOptions> options, CouponMetrics metrics, TimeProvider clock,
    ILogger<GateTrustVerifier> logger)
{
    /// <summary>
    /// Makes the gates trusted: at once when they are, else by resetting every open coupon's gate (to be rebuilt).
    /// </summary>
    public async Task EnsureTrustedAsync(CancellationToken ct)
    {
        var trust = await gate.ReadTrustAsync();
        if (trust.Trusted)
        {
            return;
        }

        // Open by any instance's clock: a gate kept because this clock said "not open yet" would be trusted stale
        // (issue 21, item 8).
        var open = await coupons.ListOpenAsync(clock.GetUtcNow().UtcDateTime, options.Value.ClockSkewMargin, ct);
        if (await repair.ResetUntrustedAsync([.. open.Select(c => c.Id)]))
        {
            metrics.GateTrustResets.Add(1);
            Reset(logger, trust.RunId, trust.TrustedRunId.Length == 0 ? "none" : trust.TrustedRunId, open.Count);
        }
    }

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning,
        Message = "Redis {RunId} holds gates not verified under it (verified under: {TrustedRunId}): it restarted, failed over or was restored; the gates of {Open} open coupons are thrown away and rebuilt from the database")]
    private static partial void Reset(ILogger logger, string runId, string trustedRunId, int open);
}
