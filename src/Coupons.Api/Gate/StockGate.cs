using Coupons.Gate.Scripts;
using StackExchange.Redis;

namespace Coupons.Gate;

/// <summary>
/// The click side of the Redis stock gate: take a unit (a batch of clicks in one take.lua run, so duplicate check,
/// stock check and the record of who got a unit happen atomically) and give one back. Reads for audits are
/// <see cref="GateInspector"/>'s, repairs <see cref="GateRepair"/>'s.
/// </summary>
public sealed class StockGate(IConnectionMultiplexer redis)
{
    /// <summary>
    /// The decisions for a batch of clicks, in the order given. <see cref="GateBatcher"/> forms the batches.
    /// </summary>
    public async Task<GateDecision[]> TryTakeAsync(IReadOnlyList<GateClick> clicks)
    {
        var (keys, args) = TakeScript.Layout(clicks);
        return TakeScript.Parse(await redis.GetDatabase().ScriptEvaluateAsync(TakeScript.Text, keys, args), clicks.Count);
    }

    /// <summary>Returns the unit taken by <paramref name="requestId"/>; true when something was released.</summary>
    public async Task<bool> ReleaseAsync(long couponId, Guid requestId)
    {
        var (keys, args) = ReleaseScript.Layout(couponId, requestId);
        return ReleaseScript.Parse(await redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript.Text, keys, args));
    }
}
