using Coupons.Gate;
using StackExchange.Redis;

namespace Coupons.IntegrationTests.Faults;

/// <summary>
/// A connection reset after the gate script ran (a RedisConnectionException, not a timeout): the click answered 503,
/// yet its request id holds a unit. Like a timed-out call, it must be given back as soon as Redis answers, not only
/// after reconciliation's grace period (60 s, left at its default so it cannot be what passes this test); otherwise
/// the user hears ALREADY_REQUESTED for a request that never got a 202.
/// </summary>
[Trait("Category", "Faults")]
[Collection(FaultCollection.Name)]
public sealed class ResetAfterGateTests
{
    [Fact]
    public async Task A_click_whose_connection_was_reset_after_the_script_ran_gives_its_unit_back()
    {
        await using var proxy = FaultProxy.ForRedis();
        await using var app = new CouponApiFactory(new Dictionary<string, string?> { ["ConnectionStrings:redis"] = proxy.Endpoint });
        var api = new ApiDriver(app.CreateClient(), app.CreateAdminClient());
        await ApiDriver.WaitUntilReadyAsync(api.Client);
        var (couponId, users) = await api.OpenSaleAsync(20, 20);
        await using var direct = await ConnectionMultiplexer.ConnectAsync(TestStack.Redis); // past the proxy: what Redis really holds
        var gate = new GateInspector(direct, Microsoft.Extensions.Options.Options.Create(new GateOptions()));

        // Arm the reset and click; if the reset hit another command's reply instead (the app talks to Redis in the
        // background too), try again with the next user once the connection is back.
        string? unlucky = null;
        foreach (var user in users)
        {
            proxy.ResetNextReply();
            var answer = await api.IssueAsync(couponId, user);
            if (answer.Status == HttpStatusCode.ServiceUnavailable && await HoldsAUnitAsync(gate, couponId, user))
            {
                unlucky = user;
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        Assert.NotNull(unlucky); // a click answered 503 whose script ran: its unit is taken

        var again = await Eventually.MatchesAsync(() => api.IssueAsync(couponId, unlucky), a => a.Status == HttpStatusCode.Accepted,
            TimeSpan.FromSeconds(15), "the user never got past ALREADY_REQUESTED for a request that was answered 503");
        var report = await api.WaitForDrainAsync(couponId);
        Assert.True(report.Consistent, string.Join("; ", report.Problems));
        await Invariants.AssertHoldAsync(couponId, [again.RequestId!.Value]);
    }

    /// <summary>
    /// Whether <paramref name="user"/> holds a unit in the gate, as <paramref name="gate"/>'s connection reads it.
    /// </summary>
    internal static async Task<bool> HoldsAUnitAsync(GateInspector gate, long couponId, string user)
    {
        var userId = await Invariants.ReadUserIdAsync(user);
        await foreach (var page in gate.ScanAcceptedRequestsAsync(couponId))
        {
            if (page.Any(accepted => accepted.UserId == userId))
            {
                return true;
            }
        }

        return false;
    }
}
