using Coupons.Gate.Scripts;
using StackExchange.Redis;

namespace Coupons.Gate;

/// <summary>
/// Changes to the gate other than clicks: opening it from the database, throwing it away, and the reconciler's repairs.
/// </summary>
public sealed class GateRepair(IConnectionMultiplexer redis)
{
    /// <summary>
    /// Opens the gate from the database's view: who already holds the coupon and how much is left. The holders are
    /// staged under keys of their own (1,000 per round trip), then open.lua makes them the gate and sets the stock in
    /// one step, so a gate appears whole or not at all; a gate that is already open is left alone. A reset or a Redis
    /// restart that lands while holders are staged tears the staging and nothing is opened
    /// (<see cref="GateOpenResult.Torn"/>).
    /// </summary>
    public async Task<GateOpenResult> OpenAsync(
        long couponId, long remaining, IReadOnlyCollection<(long UserId, Guid RequestId)> holders, GateGeneration generation)
    {
        var gate = new GateKeys(couponId);
        var db = redis.GetDatabase();
        if (await db.KeyExistsAsync(gate.Stock))
        {
            return GateOpenResult.AlreadyOpen;
        }

        var staged = StagedHolders.For(gate);
        foreach (var chunk in holders.Chunk(1000))
        {
            var batch = db.CreateBatch();
            var users = batch.HashSetAsync(staged.Users, chunk.Select(h => new HashEntry(h.UserId, h.RequestId.ToString())).ToArray());
            var requests = batch.HashSetAsync(staged.Requests, chunk.Select(h => new HashEntry(h.RequestId.ToString(), h.UserId)).ToArray());
            batch.Execute();
            await Task.WhenAll(users, requests);
        }

        var (keys, args) = OpenScript.Layout(gate, staged, remaining, holders.Count, generation);
        return OpenScript.Parse(await db.ScriptEvaluateAsync(OpenScript.Text, keys, args));
    }

    /// <summary>The gate's generation now: read it before reading the database an opening is built from.</summary>
    public async Task<GateGeneration> GenerationAsync(long couponId) =>
        new((string?)await redis.GetDatabase().StringGetAsync(new GateKeys(couponId).DroppedAt) ?? "");

    /// <summary>
    /// Throws the gate away (admin rebuild, test reset) and notes when; it is rebuilt from the database once nothing is
    /// in flight.
    /// </summary>
    public async Task ResetAsync(long couponId) => await redis.GetDatabase().ScriptEvaluateAsync(DropScript.Text, DropScript.Layout(new GateKeys(couponId)));

    /// <summary>
    /// Throws away the gates of <paramref name="couponIds"/> and marks this server's gates trusted, in one step, unless
    /// they already are; true when this call did it. The gates are then missing, and rebuilt from the database.
    /// </summary>
    public async Task<bool> ResetUntrustedAsync(IReadOnlyCollection<long> couponIds)
    {
        var (keys, args) = TrustScript.ResetLayout(couponIds);
        return TrustScript.ParseReset(await redis.GetDatabase().ScriptEvaluateAsync(TrustScript.Text, keys, args));
    }

    /// <summary>
    /// A verified gate's total, read in one step (its stock and what it counts); see set-total.lua.
    /// </summary>
    public Task<GateTotalChange> ReadTotalAsync(long couponId) => SetTotalAsync(couponId, "read");

    /// <summary>
    /// Sets the total only if the gate's total is <paramref name="expected"/> and not below what it counts.
    /// </summary>
    public Task<GateTotalChange> ChangeTotalAsync(long couponId, long total, long expected) => SetTotalAsync(couponId, "change", total, expected);

    /// <summary>Sets the total whatever it was: only under the coupon's row lock, to the database's total.</summary>
    public Task<GateTotalChange> SyncTotalAsync(long couponId, long total) => SetTotalAsync(couponId, "sync", total);

    /// <summary>Takes every unit left off sale (an ended sale), so no instance can still sell one.</summary>
    public Task<GateTotalChange> CloseAsync(long couponId) => SetTotalAsync(couponId, "close");

    private async Task<GateTotalChange> SetTotalAsync(long couponId, string mode, long total = 0, long expected = 0)
    {
        var (keys, args) = SetTotalScript.Layout(couponId, mode, total, expected);
        return SetTotalScript.Parse(await redis.GetDatabase().ScriptEvaluateAsync(SetTotalScript.Text, keys, args));
    }

    /// <summary>Returns the unit of a request the database will never issue; see reconcile.lua.</summary>
    public async Task<bool> ReturnUnitAsync(long couponId, Guid requestId, Guid? holderRequestId)
    {
        var (keys, args) = ReturnUnitScript.Layout(couponId, requestId, holderRequestId);
        return ReturnUnitScript.Parse(await redis.GetDatabase().ScriptEvaluateAsync(ReturnUnitScript.Text, keys, args));
    }

    /// <summary>Makes the gate count a holder the database knows and the gate forgot; see restore-holder.lua.</summary>
    public async Task<bool> RestoreHolderAsync(long couponId, long userId, Guid holderRequestId)
    {
        var (keys, args) = RestoreHolderScript.Layout(couponId, userId, holderRequestId);
        return RestoreHolderScript.Parse(await redis.GetDatabase().ScriptEvaluateAsync(RestoreHolderScript.Text, keys, args));
    }
}
