using StackExchange.Redis;

namespace Coupons.Infrastructure.Redis;

/// <summary>
/// Redis's clock, read on this instance: its own clock plus the offset last measured against Redis <c>TIME</c>. A
/// request id carries the moment it was accepted, and any instance's reconciler judges its age (a request with no
/// decision older than the grace period is a leak). On each instance's own clock, one ten minutes behind minted ids
/// that looked ten minutes old to the others, which gave back units whose publish was still on its way (issue 21, item
/// 8). On Redis's clock every instance mints and judges alike; what is left is the measurement's error (half a round
/// trip) and a clock step between two measurements.
/// </summary>
public sealed class RedisClock(TimeProvider local)
{
    /// <summary>
    /// A reading whose round trip took longer says little about when Redis read its clock: kept only if it is the
    /// first.
    /// </summary>
    private static readonly TimeSpan MaxRoundTrip = TimeSpan.FromSeconds(1);

    /// <summary>
    /// An offset that moves by more than this between two readings is a clock step (Redis's or ours), not drift.
    /// </summary>
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(1);

    private long _offsetTicks;
    private int _measured;
    private long _steppedAtTicks = DateTimeOffset.MinValue.UtcTicks;

    /// <summary>
    /// Now on Redis's clock (this instance's own until the first measurement: Redis down since start).
    /// </summary>
    public DateTimeOffset GetUtcNow() => local.GetUtcNow().AddTicks(Volatile.Read(ref _offsetTicks));

    /// <summary>Redis's clock minus this instance's, as last measured.</summary>
    public TimeSpan Offset => TimeSpan.FromTicks(Volatile.Read(ref _offsetTicks));

    /// <summary>
    /// Whether a clock step was seen within <paramref name="window"/> (this instance's clock). Ids minted on either
    /// side of a step disagree by its size: a reconciler must not judge ages across one (a Redis host stepped a minute
    /// forward would make every request in flight look a minute old to every instance at once: hostile review 3).
    /// </summary>
    public bool SteppedWithin(TimeSpan window) => local.GetUtcNow().UtcTicks - Volatile.Read(ref _steppedAtTicks) < window.Ticks;

    public async Task MeasureAsync(IDatabaseAsync redis)
    {
        var sent = local.GetUtcNow();
        var time = (RedisResult[])(await redis.ExecuteAsync("TIME"))!;
        var received = local.GetUtcNow();
        if (received - sent > MaxRoundTrip && Volatile.Read(ref _measured) == 1)
        {
            return;
        }

        var redisNow = DateTimeOffset.FromUnixTimeSeconds((long)time[0]).AddTicks((long)time[1] * TimeSpan.TicksPerMicrosecond);
        var offset = (redisNow - (sent + (received - sent) / 2)).Ticks;
        if (Volatile.Read(ref _measured) == 1 && Math.Abs(offset - Volatile.Read(ref _offsetTicks)) > Step.Ticks)
        {
            Volatile.Write(ref _steppedAtTicks, received.UtcTicks);
        }

        Volatile.Write(ref _offsetTicks, offset);
        Volatile.Write(ref _measured, 1);
    }
}
