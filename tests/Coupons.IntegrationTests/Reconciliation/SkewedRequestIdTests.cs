using Confluent.Kafka;
using Coupons.Gate;
using Coupons.Issuance;

namespace Coupons.IntegrationTests.Reconciliation;

/// <summary>A leak is judged on the reconciler's own clock, not on the time another instance wrote into a request id (issue 21, item 8).</summary>
[Collection(StackCollection.Name)]
public sealed class SkewedRequestIdTests(StackFixture stack)
{
    [Fact]
    public async Task A_request_minted_by_a_clock_minutes_behind_whose_publish_is_still_on_its_way_keeps_its_unit()
    {
        // An instance ten minutes behind takes a click: the gate counts the request, its id says "ten minutes ago", and
        // its publish has not landed yet. A reconcile now must not call it leaked: the request is issued a moment later.
        var (couponId, user) = await stack.Api.OpenSaleForOneAsync(3);
        var userId = await Invariants.ReadUserIdAsync(user);
        var minted = DateTimeOffset.UtcNow.AddMinutes(-10);
        var request = new IssueRequested(Guid.CreateVersion7(minted), couponId, userId, user, minted);
        await stack.App.Services.GetRequiredService<GateRepair>().RestoreHolderAsync(couponId, userId, request.RequestId); // the gate's take

        var reconciled = await stack.Api.Operator.ReconcileAsync(couponId);

        Assert.Equal((true, 0), (reconciled.Value!.Ran, reconciled.Value.ReturnedLeaked));
        using (var producer = KafkaTestClients.Producer())
        {
            await producer.ProduceAsync(KafkaTestClients.Topic, new Message<string, byte[]> { Key = request.Key, Value = request.ToBytes() }); // it lands
        }

        var report = await stack.Api.WaitForDrainAsync(couponId);
        Assert.True(report.Consistent, string.Join("; ", report.Problems));
        await Invariants.AssertHoldAsync(couponId, [request.RequestId]);
    }
}
