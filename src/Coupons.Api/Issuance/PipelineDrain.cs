using System.Data.Common;
using Confluent.Kafka;
using Coupons.Infrastructure.Kafka;

namespace Coupons.Issuance;

/// <summary>
/// "Has everything accepted so far reached the database?" Asked before the gate is rebuilt or a unit is
/// given back: the consumer group has no lag and nothing is parked. Unknown (Kafka or DB unreachable) is no.
/// </summary>
public sealed class PipelineDrain(ConsumerLag lag, ParkedRequests parked)
{
    public async Task<bool> IsDrainedAsync(CancellationToken ct)
    {
        try
        {
            var partitions = await lag.ReadAsync();
            return partitions.All(p => p.Lag == 0) && await parked.CountAllAsync(ct) == 0;
        }
        catch (Exception ex) when (ex is KafkaException or DbException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }
}
