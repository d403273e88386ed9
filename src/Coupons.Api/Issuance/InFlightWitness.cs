using System.Collections.Concurrent;
using Coupons.Catalog;
using Coupons.Gate;
using Coupons.Infrastructure.Kafka;

namespace Coupons.Issuance;

/// <summary>
/// Whether a coupon's requests in flight can all be seen. The gate counts every request it accepted until the database
/// decides it; without the gate (dropped by a rebuild, lost with Redis) a request still on its way to Kafka or waiting
/// there is in neither the gate nor the database. Then "not found" and "nothing in flight" would be guesses: a status
/// URL from a 202 answered 404, and the report of a sale that had just ended said consistent with ten requests
/// undecided (hostile review 2, issue 21).
/// </summary>
public sealed class InFlightWitness(CouponCatalog catalog, GateInspector gate, PipelineDrain drain, IOptions<KafkaOptions> kafka, TimeProvider clock)
{
    /// <summary>
    /// A verdict is reused this long: a flood of lookups of unknown ids costs Kafka one read a second per coupon, not
    /// one each.
    /// </summary>
    private static readonly TimeSpan VerdictLifetime = TimeSpan.FromSeconds(1);

    private const int MaxRemembered = 10_000;

    private readonly ConcurrentDictionary<long, (DateTimeOffset At, Task<bool> Sees)> _verdicts = new();

    /// <summary>
    /// Where the topic ended once a gate had been missing long enough; keyed by the absence (coupon, dropped-at).
    /// </summary>
    private readonly ConcurrentDictionary<(long CouponId, string Generation), DrainMark> _marks = new();

    /// <summary>
    /// True when nothing of the coupon can be undecided beyond what its gate counts: the gate is there; or it never
    /// existed (nothing was ever accepted); or it has been missing for longer than a publish can take, nothing of the
    /// coupon is parked, and the consumer group has passed where the topic ended once that was so (nothing new can have
    /// been accepted for it since). Concurrent and repeated calls within a second share one answer.
    /// </summary>
    /// <exception cref="Exception">Redis cannot be read
    /// (<see cref="Infrastructure.Redis.RedisCircuit.IsUnavailable"/>).</exception>
    public Task<bool> SeesAllInFlightAsync(long couponId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_verdicts.TryGetValue(couponId, out var verdict) && now - verdict.At < VerdictLifetime && !verdict.Sees.IsFaulted)
        {
            return verdict.Sees;
        }

        if (_verdicts.Count > MaxRemembered)
        {
            _verdicts.Clear();
        }

        var judged = JudgeAsync(couponId, ct);
        _verdicts[couponId] = (now, judged);
        return judged;
    }

    private async Task<bool> JudgeAsync(long couponId, CancellationToken ct)
    {
        if (await catalog.FindAsync(couponId, ct) is not { } coupon || await gate.MissingForAsync(couponId, coupon.StartDate) is not { } absence)
        {
            return true; // no such coupon, or its gate is there
        }

        if (absence.NeverExisted)
        {
            return await drain.HasParkedAsync(couponId, ct) is false;
        }

        if (absence.For <= kafka.Value.DeliveryTimeout + TimeSpan.FromSeconds(1) || await drain.HasParkedAsync(couponId, ct) is not false
            || await drain.ReadPositionsAsync() is not { } positions)
        {
            return false;
        }

        if (_marks.Count > MaxRemembered)
        {
            _marks.Clear();
        }

        return PipelineDrain.IsPast(positions, _marks.GetOrAdd((couponId, absence.Generation), _ => PipelineDrain.Mark(positions)));
    }
}
