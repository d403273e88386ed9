using Coupons.IntegrationTests.Faults;

namespace Coupons.IntegrationTests.Hostile;

/// <summary>Instances whose clocks disagree must still agree on which gates Redis may be trusted with (issue 21, item 8).</summary>
[Collection(FaultCollection.Name)]
public sealed class ClockSkewTests
{
    [Fact]
    public async Task An_instance_whose_clock_is_behind_does_not_trust_a_stale_gate_of_a_sale_that_just_started()
    {
        // The trust reset threw away the gates of the coupons open by the verifying instance's own clock: five minutes
        // behind, it kept the stale gate of a sale that had just started, marked Redis trusted, and the holder got a
        // second 202 from an instance with the right time.
        await using var behind = new CouponApiFactory(FaultCollection.FastRepair(),
            services => services.AddSingleton<TimeProvider>(new ShiftedClock(TimeSpan.FromMinutes(-5))));
        await using var onTime = new CouponApiFactory(new Dictionary<string, string?> { ["Reconciliation:GateCheckInterval"] = "01:00:00" });
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

    /// <summary>The machine's clock, shifted.</summary>
    private sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + shift;
    }
}
