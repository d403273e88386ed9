using System.Reflection;
using Confluent.Kafka;
using Coupons.IntegrationTests.Faults;

namespace Coupons.IntegrationTests.Hostile;

/// <summary>
/// Instances whose clocks disagree must still agree on which gates Redis may be trusted with (issue 21, item 8).
/// </summary>
[Trait("Category", "Hostile")]
[Collection(FaultCollection.Name)]
public sealed class ClockSkewTests
{
    [Fact]
    public async Task An_instance_whose_clock_is_behind_does_not_trust_a_stale_gate_of_a_sale_that_just_started()
    {
        // The trust reset threw away the gates of the coupons open by the verifying instance's own clock: five minutes
        // behind, it kept the stale gate of a sale that had just started, marked Redis trusted, and the holder got a
        // second 202 from an instance with the right time.
        var margin = FaultCollection.FastRepair();
        margin["Gate:ClockSkewMargin"] = "00:10:00"; // covers the five minutes
        await using var behind = new CouponApiFactory(margin,
            services => services.AddSingleton<TimeProvider>(new ShiftedClock(TimeSpan.FromMinutes(-5))));
        await using var onTime = new CouponApiFactory(new Dictionary<string, string?>
        {
            ["Reconciliation:GateCheckInterval"] = "01:00:00",
            ["Gate:ClockSkewMargin"] = "00:10:00",
        });
        var api = new ApiDriver(onTime.CreateClient(), onTime.CreateAdminClient());
        await Task.WhenAll(ApiDriver.WaitUntilReadyAsync(api.Client), ApiDriver.WaitUntilReadyAsync(behind.CreateClient()));
        var couponId = await api.CreateOpenCouponAsync(3, start: DateTimeOffset.UtcNow.AddMinutes(-1));
        var user = (await api.CreateUsersAsync(1))[0];
        var snapshot = $"skew-{Guid.NewGuid():N}";
        await StackControl.SnapshotRedisAsync(snapshot); // the gate with 3 units and no holder
        var first = await api.IssueAsync(couponId, user);
        Assert.Equal(HttpStatusCode.Accepted, first.Status);
        await api.WaitForDrainAsync(couponId);

        await StackControl.RestartRedisFromSnapshotAsync(snapshot);
        var again = await Eventually.MatchesAsync(() => api.IssueAsync(couponId, user), a => a.Status != HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(60), "the gate never came back");

        Assert.Equal((HttpStatusCode.Conflict, "ALREADY_REQUESTED", first.RequestId), (again.Status, again.Code, again.RequestId));
    }

    [Fact]
    public async Task A_request_accepted_by_an_instance_whose_clock_is_behind_keeps_its_unit_while_its_publish_is_on_its_way()
    {
        // The reconciler judged a leak by the time inside the request id, minted on the accepting instance's clock: ten
        // minutes behind, its click looked ten minutes old to an instance with the right time, which gave the unit back
        // while the publish was still on its way; the request was then issued, and the gate sold that unit again.
        var publish = new TaskCompletionSource();
        var publishing = new TaskCompletionSource();
        await using var behind = new CouponApiFactory(new Dictionary<string, string?> { ["Kafka:RunConsumer"] = "false" }, services =>
        {
            services.AddSingleton<TimeProvider>(new ShiftedClock(TimeSpan.FromMinutes(-10)));
            HoldPublishes(services, publishing, publish.Task);
        });
        await using var onTime = new CouponApiFactory();
        var api = new ApiDriver(onTime.CreateClient(), onTime.CreateAdminClient());
        await Task.WhenAll(ApiDriver.WaitUntilReadyAsync(api.Client), ApiDriver.WaitUntilReadyAsync(behind.CreateClient()));
        var couponId = await api.CreateOpenCouponAsync(1, start: DateTimeOffset.UtcNow.AddHours(-1)); // open by either clock
        var users = await api.CreateUsersAsync(2);

        var click = ApiDriver.IssueAsync(behind.CreateClient(), couponId, users[0]);
        await Task.WhenAny(publishing.Task, click).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(publishing.Task.IsCompleted, $"the click never reached its publish: {(click.IsCompleted ? await click : null)}");
        // Through the gate, its publish held on its way: the other instance reconciles now.
        var reconciled = await api.Operator.ReconcileAsync(couponId);
        publish.SetResult();
        var accepted = await click;
        await api.WaitForDrainAsync(couponId);

        Assert.Equal((HttpStatusCode.OK, 0), (reconciled.Status, reconciled.Value?.ReturnedLeaked));
        Assert.Equal(HttpStatusCode.Accepted, accepted.Status);
        Assert.Equal("SOLD_OUT", (await api.IssueAsync(couponId, users[1])).Code);
        await Invariants.AssertHoldAsync(couponId, [accepted.RequestId!.Value]);
    }

    /// <summary>
    /// Every produce of the app waits for <paramref name="release"/>: a publish on its way for as long as a test needs.
    /// </summary>
    private static void HoldPublishes(IServiceCollection services, TaskCompletionSource publishing, Task release)
    {
        var real = services.Last(d => d.ServiceType == typeof(IProducer<string, byte[]>));
        services.AddSingleton(sp =>
        {
            var producer = DispatchProxy.Create<IProducer<string, byte[]>, HeldProducer>();
            ((HeldProducer)(object)producer).Hold((IProducer<string, byte[]>)real.ImplementationFactory!(sp), publishing, release);
            return producer;
        });
    }

    /// <summary>
    /// A producer that waits before each <c>ProduceAsync</c>, then passes every call to the real one.
    /// </summary>
    public class HeldProducer : DispatchProxy
    {
        private IProducer<string, byte[]> _real = null!;
        private TaskCompletionSource _publishing = null!;
        private Task _release = null!;

        public void Hold(IProducer<string, byte[]> real, TaskCompletionSource publishing, Task release) =>
            (_real, _publishing, _release) = (real, publishing, release);

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            if (method!.Name != nameof(IProducer<string, byte[]>.ProduceAsync))
            {
                return method.Invoke(_real, args);
            }

            _publishing.TrySetResult();
            return HeldAsync(method, args);
        }

        private async Task<DeliveryResult<string, byte[]>> HeldAsync(MethodInfo method, object?[]? args)
        {
            await _release;
            return await (Task<DeliveryResult<string, byte[]>>)method.Invoke(_real, args)!;
        }
    }

    /// <summary>The machine's clock, shifted.</summary>
    private sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + shift;
    }
}
