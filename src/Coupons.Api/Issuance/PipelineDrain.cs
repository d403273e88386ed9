using System.Data.Common;
using Confluent.Kafka;
using Coupons.Infrastructure.Kafka;

namespace Coupons.Issuance;

/// <summary>A point in the request topic: each partition's log-end offset when it was taken.</summary>
public sealed record DrainMark(IReadOnlyDictionary<int, long> Ends);

/// <summary>
/// "Has everything one coupon accepted so far reached the database?" Asked before its gate is rebuilt or a unit of
/// it is given back. Scoped to what can affect that coupon, so that steady traffic elsewhere cannot hold it up: none of
/// its requests is parked (a parked request reaches Kafka later), and the consumer group has moved past a mark taken
/// after that, on every partition. Lag never has to be 0 at one instant, which under steady traffic it rarely is.
/// The caller makes sure no new request of the coupon can be accepted meanwhile (its gate is missing, or the requests
/// in question are older than any publish can take). Unknown (Kafka or DB unreachable) is no.
/// </summary>
public sealed class PipelineDrain(ConsumerLag lag, ParkedRequests parked, TimeProvider clock)
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Whether a request of <paramref name="couponId"/> waits in the parked table (null: the database cannot say).
    /// </summary>
    public async Task<bool?> HasParkedAsync(long couponId, CancellationToken ct)
    {
        try
        {
            return await parked.CountAsync(couponId, ct) > 0;
        }
        catch (DbException)
        {
            return null;
        }
    }

    /// <summary>The coupons with a request waiting in the parked table (null: the database cannot say).</summary>
    public async Task<IReadOnlySet<long>?> CouponsWithParkedAsync(CancellationToken ct)
    {
        try
        {
            return await parked.CouponsWithParkedAsync(ct);
        }
        catch (DbException)
        {
            return null;
        }
    }

    /// <summary>The group's position and log end per partition, or null when Kafka cannot say.</summary>
    public async Task<IReadOnlyList<PartitionLag>?> ReadPositionsAsync()
    {
        try
        {
            return await lag.ReadAsync();
        }
        catch (Exception ex) when (ex is KafkaException or TimeoutException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Where the topic ends now: once the group is past it, every message produced before now is decided.
    /// </summary>
    public static DrainMark Mark(IReadOnlyList<PartitionLag> positions) => new(positions.ToDictionary(p => p.Partition, p => p.End));

    /// <summary>True when the group has committed past <paramref name="mark"/> on every partition.</summary>
    public static bool IsPast(IReadOnlyList<PartitionLag> positions, DrainMark mark) =>
        positions.All(p => p.Position >= mark.Ends.GetValueOrDefault(p.Partition));

    /// <summary>
    /// Waits (up to <paramref name="timeout"/>) until everything <paramref name="couponId"/> accepted before this call
    /// has been decided: nothing of it parked, then the group past a mark taken now. False when it did not happen in
    /// time.
    /// </summary>
    public async Task<bool> WaitUntilDeliveredAsync(long couponId, TimeSpan timeout, CancellationToken ct)
    {
        if (await HasParkedAsync(couponId, ct) is not false || await ReadPositionsAsync() is not { } start)
        {
            return false;
        }

        var mark = Mark(start);
        var deadline = clock.GetUtcNow() + timeout;
        while (true)
        {
            if (await ReadPositionsAsync() is { } now && IsPast(now, mark))
            {
                return true;
            }

            if (clock.GetUtcNow() >= deadline)
            {
                return false;
            }

            await Task.Delay(PollEvery, clock, ct);
        }
    }
}
