using Coupons.Catalog;
using Coupons.Gate;
using Coupons.Infrastructure.Kafka;
using Coupons.Issuance;

namespace Coupons.Reconciliation;

/// <summary>What an operator's open or rebuild came to.</summary>
public enum GateOpeningOutcome
{
    /// <summary>This call opened the gate from the database.</summary>
    Opened,

    /// <summary>The gate was there already; nothing changed.</summary>
    AlreadyOpen,

    /// <summary>
    /// Requests of the coupon are still on their way to the database; the gate stays shut (the gate keeper opens it).
    /// </summary>
    InFlight,
}

/// <summary>
/// Opens a coupon's gate on an operator's word (admin <c>open</c> and <c>rebuild-gate</c>) under the gate keeper's
/// rule: only from a database that already holds everything the coupon accepted. On c8b4360 <c>open</c> seeded the gate
/// at once, so after a Redis restart with 50 accepted requests still in Kafka it opened 100 units and no holders, and
/// each of the 50 got a second 202 (issue 21, item 2). While the gate is missing nothing new is accepted; a publish
/// under way lands or parks within the delivery timeout (measured on Redis's clock,
/// <see cref="GateInspector.MissingForAsync"/>); then nothing of the coupon may be parked and the consumer group must
/// pass a mark taken after that (<see cref="PipelineDrain.WaitUntilDeliveredAsync"/>). A gate that never existed
/// accepted nothing: it opens at once.
/// </summary>
public sealed class GateOpening(
    EventOpener opener, CouponRepository coupons, GateInspector gate, PipelineDrain drain, IOptions<KafkaOptions> kafka, TimeProvider clock)
{
    public async Task<(GateOpeningOutcome Outcome, GateState State)> OpenAsync(long couponId, TimeSpan wait, CancellationToken ct)
    {
        var deadline = clock.GetUtcNow() + wait;
        var coupon = await coupons.FindAsync(couponId, ct);
        if (coupon is null || await gate.MissingForAsync(couponId, coupon.StartDate) is not { } absence)
        {
            return (GateOpeningOutcome.AlreadyOpen, await gate.ReadStateAsync(couponId)); // (the caller checked it exists)
        }

        // Even a gate that never existed waits for its parked requests (they exist only if it did, somewhere).
        if ((!absence.NeverExisted || await drain.HasParkedAsync(couponId, ct) is not false) && !await SettledAsync(couponId, absence.For, deadline, ct))
        {
            return (GateOpeningOutcome.InFlight, await gate.ReadStateAsync(couponId));
        }

        var (result, state) = (await opener.OpenAsync(couponId, ct))!.Value;
        return (result switch
        {
            GateOpenResult.Opened => GateOpeningOutcome.Opened,
            GateOpenResult.AlreadyOpen => GateOpeningOutcome.AlreadyOpen,
            _ => GateOpeningOutcome.InFlight, // torn by a reset meanwhile: shut, and the gate keeper rebuilds it
        }, state);
    }

    /// <summary>
    /// Every publish that was in flight has landed, and the pipeline has delivered them all, before
    /// <paramref name="deadline"/>.
    /// </summary>
    private async Task<bool> SettledAsync(long couponId, TimeSpan missingFor, DateTimeOffset deadline, CancellationToken ct)
    {
        var settle = kafka.Value.DeliveryTimeout + TimeSpan.FromSeconds(1);
        if (missingFor < settle)
        {
            await Task.Delay(settle - missingFor, clock, ct);
        }

        var left = deadline - clock.GetUtcNow();
        return left > TimeSpan.Zero && await drain.WaitUntilDeliveredAsync(couponId, left, ct);
    }
}
