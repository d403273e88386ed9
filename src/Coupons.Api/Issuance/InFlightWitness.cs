using Coupons.Gate;
using Coupons.Infrastructure.Kafka;

namespace Coupons.Issuance;

/// <summary>
/// Whether a coupon's requests in flight can all be seen. The gate counts every request it accepted until the database
/// decides it; without the gate (dropped by a rebuild, lost with Redis) a request still on its way to Kafka or waiting
/// there is in neither the gate nor the database. Then "not found" and "nothing in flight" would be guesses: a status URL
/// from a 202 answered 404, and the report of a sale that had just ended said consistent with ten requests undecided
/// (hostile review 2, issue 21).
/// </summary>
public sealed class InFlightWitness(GateInspector gate, PipelineDrain drain, IOptions<KafkaOptions> kafka)
{
    /// <summary>
    /// True when nothing of the coupon can be undecided beyond what its gate counts: the gate is there; or it never
    /// existed (nothing was ever accepted); or it has been missing for longer than a publish can take and the pipeline has
    /// delivered everything (nothing of the coupon parked, the consumer group at the topic's end).
    /// </summary>
    /// <exception cref="Exception">Redis cannot be read (<see cref="Infrastructure.Redis.RedisCircuit.IsUnavailable"/>).</exception>
    public async Task<bool> SeesAllInFlightAsync(long couponId, CancellationToken ct)
    {
        if (await gate.MissingForAsync(couponId) is not { } absence || absence.NeverExisted)
        {
            return true;
        }

        return absence.For > kafka.Value.DeliveryTimeout + TimeSpan.FromSeconds(1)
            && await drain.WaitUntilDeliveredAsync(couponId, TimeSpan.Zero, ct);
    }
}
