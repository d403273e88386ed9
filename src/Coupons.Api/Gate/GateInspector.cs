using Coupons.Gate.Scripts;
using StackExchange.Redis;

namespace Coupons.Gate;

/// <summary>Reads of the gate for audits, status lookups and the admin API; never changes it.</summary>
public sealed class GateInspector(IConnectionMultiplexer redis, IOptions<GateOptions> options)
{
    public async Task<bool> IsOpenAsync(long couponId) => await redis.GetDatabase().KeyExistsAsync(new GateKeys(couponId).Stock);

    /// <summary>
    /// Null when the gate is there; else how long it has certainly been missing, by the Redis server's clock (see
    /// missing-for.lua): nothing has been accepted through it for at least that long; or that it never existed.
    /// </summary>
    public async Task<GateAbsence?> MissingForAsync(long couponId, DateTime saleStart)
    {
        var (keys, args) = MissingForScript.Layout(new GateKeys(couponId), saleStart, options.Value.ClockSkewMargin);
        return MissingForScript.Parse(await redis.GetDatabase().ScriptEvaluateAsync(MissingForScript.Text, keys, args));
    }

    /// <summary>Whether this Redis server's gates were verified since it started (see trust.lua).</summary>
    public async Task<GateTrust> ReadTrustAsync()
    {
        var (keys, args) = TrustScript.ReadLayout();
        return TrustScript.ParseRead(await redis.GetDatabase().ScriptEvaluateAsync(TrustScript.Text, keys, args));
    }

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
}
