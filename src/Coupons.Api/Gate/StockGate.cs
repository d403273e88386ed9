using System.Globalization;
using System.Reflection;
using Coupons.Users;
using StackExchange.Redis;

namespace Coupons.Issuance;

/// <summary>
/// The Redis stock gate: one Lua script per decision, so duplicate check, stock check and the record of
/// who got a unit happen atomically. SE.Redis sends the script by SHA (EVALSHA) once the server has it.
/// </summary>
public sealed class IssuanceGate(IConnectionMultiplexer redis)
{
    private static readonly string TakeScript = ReadScript("take.lua");
    private static readonly string ReleaseScript = ReadScript("release.lua");
    private static readonly string ReconcileScript = ReadScript("reconcile.lua");
    private static readonly string RestoreHolderScript = ReadScript("restore-holder.lua");
    private static readonly string TrustScript = ReadScript("trust.lua");

    /// <summary>The run_id of the Redis server whose gates were last verified (see trust.lua).</summary>
    public static readonly RedisKey TrustKey = "gates:trusted-run-id";

    /// <summary>
    /// The decisions for a batch of clicks in one round trip (take.lua), in the order given; see <see cref="GateClick"/>.
    /// <see cref="GateBatcher"/> forms the batches.
    /// </summary>
    public async Task<GateDecision[]> TryTakeAsync(IReadOnlyList<GateClick> clicks)
    {
        var keys = new RedisKey[1 + clicks.Count * 4];
        var args = new RedisValue[clicks.Count * 3];
        keys[0] = TrustKey;
        for (var i = 0; i < clicks.Count; i++)
        {
            var (couponId, publicId, requestId, knownUserId) = clicks[i];
            var coupon = new GateKeys(couponId);
            (keys[4 * i + 1], keys[4 * i + 2], keys[4 * i + 3], keys[4 * i + 4]) = (coupon.Stock, coupon.Users, coupon.Requests, UserRegistry.KeyOf(publicId));
            (args[3 * i], args[3 * i + 1], args[3 * i + 2]) =
                (publicId, requestId.ToString(), knownUserId?.ToString(CultureInfo.InvariantCulture) ?? "");
        }

        var answers = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(TakeScript, keys, args))!;
        var decisions = new GateDecision[clicks.Count];
        for (var i = 0; i < decisions.Length; i++)
        {
            var verdict = (GateVerdict)(int)answers[3 * i];
            var id = verdict is GateVerdict.Accepted or GateVerdict.Duplicate ? Guid.Parse((string)answers[3 * i + 1]!) : Guid.Empty;
            var userId = long.TryParse((string?)answers[3 * i + 2], CultureInfo.InvariantCulture, out var known) ? known : 0; // '' when unknown or untrusted
            decisions[i] = new GateDecision(verdict, id, userId);
        }

        return decisions;
    }

    /// <summary>Returns the unit taken by <paramref name="requestId"/>; true when something was released.</summary>
    public async Task<bool> ReleaseAsync(long couponId, Guid requestId)
    {
        var keys = new GateKeys(couponId);
        var released = await redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, keys.All, [requestId.ToString()]);
        return (int)released == 1;
    }

    /// <summary>Returns the unit of a request the database will never issue; see reconcile.lua.</summary>
    public async Task<bool> ReturnUnitAsync(long couponId, Guid requestId, Guid? holderRequestId)
    {
        var keys = new GateKeys(couponId);
        var returned = await redis.GetDatabase().ScriptEvaluateAsync(ReconcileScript, keys.All, [requestId.ToString(), holderRequestId?.ToString() ?? ""]);
        return (int)returned == 1;
    }

    /// <summary>Makes the gate count a holder the database knows and the gate forgot; see restore-holder.lua.</summary>
    public async Task<bool> RestoreHolderAsync(long couponId, long userId, Guid holderRequestId)
    {
        var keys = new GateKeys(couponId);
        var restored = await redis.GetDatabase().ScriptEvaluateAsync(RestoreHolderScript, keys.All, [userId, holderRequestId.ToString()]);
        return (int)restored == 1;
    }

    /// <summary>Whether this Redis server's gates were verified since it started (see trust.lua).</summary>
    public async Task<GateTrust> ReadTrustAsync()
    {
        var answer = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(TrustScript, [TrustKey], ["read"]))!;
        return new GateTrust((string)answer[0]!, (string)answer[1]!);
    }

    /// <summary>
    /// Throws away the gates of <paramref name="couponIds"/> and marks this server's gates trusted, in one step, unless
    /// they already are; true when this call did it. The gates are then missing, and rebuilt from the database.
    /// </summary>
    public async Task<bool> ResetUntrustedAsync(IReadOnlyCollection<long> couponIds)
    {
        RedisKey[] keys = [TrustKey, .. couponIds.SelectMany(id => new GateKeys(id).All)];
        return (int)await redis.GetDatabase().ScriptEvaluateAsync(TrustScript, keys, ["reset"]) == 1;
    }

    public async Task<bool> IsOpenAsync(long couponId) => await redis.GetDatabase().KeyExistsAsync(new GateKeys(couponId).Stock);

    /// <summary>
    /// Every request the gate accepted and still counts (requestId, user id), a page at a time (HSCAN), so a sale
    /// with hundreds of thousands of holders is audited in bounded memory. HSCAN may return an entry twice when the
    /// hash changes during the scan; callers only do idempotent work per entry or accept a snapshot's imprecision.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<(Guid RequestId, long UserId)>> ScanAcceptedRequestsAsync(long couponId, int pageSize = 1_000)
    {
        var page = new List<(Guid, long)>(pageSize);
        await foreach (var entry in redis.GetDatabase().HashScanAsync(new GateKeys(couponId).Requests, pageSize: pageSize))
        {
            page.Add((Guid.Parse((string)entry.Name!), (long)entry.Value));
            if (page.Count == pageSize)
            {
                yield return page;
                page = new List<(Guid, long)>(pageSize);
            }
        }

        if (page.Count > 0)
        {
            yield return page;
        }
    }

    /// <summary>Which of <paramref name="requestIds"/> the gate still counts as accepted.</summary>
    public async Task<IReadOnlySet<Guid>> WhichAcceptedAsync(long couponId, IReadOnlyList<Guid> requestIds)
    {
        var values = await redis.GetDatabase().HashGetAsync(new GateKeys(couponId).Requests, [.. requestIds.Select(id => (RedisValue)id.ToString())]);
        return requestIds.Where((_, i) => !values[i].IsNull).ToHashSet();
    }

    /// <summary>The user whose request the gate still counts as accepted, or null.</summary>
    public async Task<long?> OwnerOfAsync(long couponId, Guid requestId)
    {
        var owner = await redis.GetDatabase().HashGetAsync(new GateKeys(couponId).Requests, requestId.ToString());
        return owner.IsNull ? null : (long)owner;
    }

    public async Task<GateState> ReadStateAsync(long couponId)
    {
        var keys = new GateKeys(couponId);
        var db = redis.GetDatabase();
        var stock = db.StringGetAsync(keys.Stock);
        var users = db.HashLengthAsync(keys.Users);
        var requests = db.HashLengthAsync(keys.Requests);
        await Task.WhenAll(stock, users, requests);
        var remaining = stock.Result.IsNull ? (long?)null : (long)stock.Result;
        return new GateState(couponId, remaining is not null, remaining, users.Result, requests.Result);
    }

    /// <summary>
    /// Opens the gate from the database's view: who already holds the coupon and how much is left.
    /// Users are written before the stock key, because the stock key's presence is what makes the gate
    /// ready; a gate that is already open is left alone (returns false).
    /// </summary>
    public async Task<bool> OpenAsync(long couponId, long remaining, IReadOnlyCollection<(long UserId, Guid RequestId)> holders)
    {
        var keys = new GateKeys(couponId);
        var db = redis.GetDatabase();
        if (await db.KeyExistsAsync(keys.Stock))
        {
            return false;
        }

        foreach (var chunk in holders.Chunk(1000))
        {
            var batch = db.CreateBatch();
            var users = batch.HashSetAsync(keys.Users, chunk.Select(h => new HashEntry(h.UserId, h.RequestId.ToString())).ToArray());
            var requests = batch.HashSetAsync(keys.Requests, chunk.Select(h => new HashEntry(h.RequestId.ToString(), h.UserId)).ToArray());
            batch.Execute();
            await Task.WhenAll(users, requests);
        }

        return await db.StringSetAsync(keys.Stock, remaining, when: When.NotExists);
    }

    /// <summary>Removes the gate entirely (admin/test reset); the next open rebuilds it from the database.</summary>
    public async Task ResetAsync(long couponId) => await redis.GetDatabase().KeyDeleteAsync(new GateKeys(couponId).All);

    private static string ReadScript(string name)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith("." + name, StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
        return reader.ReadToEnd();
    }
}
