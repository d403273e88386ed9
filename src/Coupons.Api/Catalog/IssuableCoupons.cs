using System.Text.Json;
using Coupons.Infrastructure.Redis;
using Coupons.Ops;
using Microsoft.Extensions.Caching.Memory;
using StackExchange.Redis;

namespace Coupons.Catalog;

/// <summary>
/// The cached list behind <c>GET /api/coupons/issuable</c>: in-process cache, then Redis (cache-aside),
/// then the database. A Redis failure never fails the request: it is logged (rate-limited) as
/// <c>Cache GET failed (fallback to DB)</c>, the line the runbooks grep for.
/// </summary>
public sealed partial class IssuableCoupons(
    CouponRepository coupons,
    IConnectionMultiplexer redis,
    IMemoryCache memory,
    RedisCircuit circuit,
    CouponMetrics metrics,
    TimeProvider clock,
    ILogger<IssuableCoupons> logger)
{
    public const string RedisKey = "cache:coupons:issuable";
    private static readonly TimeSpan LocalTtl = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RedisTtl = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan WarnEvery = TimeSpan.FromSeconds(10);
    private long _lastWarnTicks;

    public async Task<IReadOnlyList<IssuableCoupon>> GetAsync(CancellationToken ct)
    {
        if (memory.TryGetValue(RedisKey, out IReadOnlyList<IssuableCoupon>? local) && local is not null)
        {
            Count("local_hit");
            return local;
        }

        var cached = await ReadRedisAsync();
        if (cached is not null)
        {
            Count("redis_hit");
        }

        var list = cached ?? await LoadAndPublishAsync(ct);
        memory.Set(RedisKey, list, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = LocalTtl, Size = 1 });
        return list;
    }

    private async Task<IReadOnlyList<IssuableCoupon>?> ReadRedisAsync()
    {
        try
        {
            var value = await circuit.Pipeline.ExecuteAsync(async _ => await redis.GetDatabase().StringGetAsync(RedisKey));
            return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize(value.ToString(), CatalogJson.Default.IssuableCouponArray);
        }
        catch (Exception ex) when (RedisCircuit.IsUnavailable(ex) || ex is JsonException)
        {
            Count("error");
            WarnFallback(ex);
            return null;
        }
    }

    private async Task<IReadOnlyList<IssuableCoupon>> LoadAndPublishAsync(CancellationToken ct)
    {
        Count("miss");
        var now = clock.GetUtcNow().UtcDateTime;
        var list = (await coupons.ListOpenAsync(now, ct)).Select(ToIssuable).ToArray();
        try
        {
            var json = JsonSerializer.Serialize(list, CatalogJson.Default.IssuableCouponArray);
            await circuit.Pipeline.ExecuteAsync(async _ => await redis.GetDatabase().StringSetAsync(RedisKey, json, RedisTtl));
        }
        catch (Exception ex) when (RedisCircuit.IsUnavailable(ex))
        {
            WarnFallback(ex);
        }

        return list;
    }

    private void Count(string result) => metrics.CacheRequests.Add(1, new KeyValuePair<string, object?>("result", result));

    private void WarnFallback(Exception ex)
    {
        var now = clock.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref _lastWarnTicks);
        if (now - last >= WarnEvery.Ticks && Interlocked.CompareExchange(ref _lastWarnTicks, now, last) == last)
        {
            CacheGetFailed(logger, ex.GetType().Name, ex.Message);
        }
    }

    private static IssuableCoupon ToIssuable(Coupon c) => new(
        c.Id, c.Name, c.CouponType, c.DiscountRate, c.DiscountAmount, c.MinOrderAmount, c.TotalQuantity,
        Math.Max(0, c.TotalQuantity - c.IssuedQuantity),
        new DateTimeOffset(DateTime.SpecifyKind(c.StartDate, DateTimeKind.Utc)),
        new DateTimeOffset(DateTime.SpecifyKind(c.EndDate, DateTimeKind.Utc)));

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Cache GET failed (fallback to DB): {ExceptionType} {Reason}")]
    private static partial void CacheGetFailed(ILogger logger, string exceptionType, string reason);
}
