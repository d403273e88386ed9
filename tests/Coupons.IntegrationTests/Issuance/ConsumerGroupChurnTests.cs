using Coupons.Consumer;
using Coupons.Issuance;

namespace Coupons.IntegrationTests.Issuance;

/// <summary>
/// Instances join and leave the consumer group (a deploy, a crash loop, an autoscaler): each time the group rebalances
/// and commits in flight are refused. Whatever was decided must still end up committed without any further traffic, or
/// the drain that gate rebuilds and unit returns wait for never passes (seen: reconcile answering 409 for five
/// minutes).
/// </summary>
[Trait("Category", "Issuance")]
[Collection(StackCollection.Name)]
public sealed class ConsumerGroupChurnTests(StackFixture stack)
{
    public static TheoryData<string> Lifetimes => ["closed while joining", "joined and consumed"];

    [Theory]
    [MemberData(nameof(Lifetimes))]
    public async Task After_an_instance_comes_and_goes_everything_decided_is_committed_without_further_traffic(string lifetime)
    {
        var drain = stack.App.Services.GetRequiredService<PipelineDrain>();
        var (couponId, users) = await stack.Api.OpenSaleAsync(1_000, 1_000);
        var accepted = new List<Guid>();
        var next = 0;

        async Task ClickAsync(HttpClient client)
        {
            var answer = await ApiDriver.IssueAsync(client, couponId, users[next++]);
            Assert.Equal(HttpStatusCode.Accepted, answer.Status);
            accepted.Add(answer.RequestId!.Value);
        }

        await using (var other = new CouponApiFactory())
        {
            for (var i = 0; i < 20; i++)
            {
                await ClickAsync(i % 2 == 0 ? other.CreateClient() : stack.Api.Client);
            }

            if (lifetime == "joined and consumed")
            {
                // Clicks go on until the newcomer has been given partitions and decided something on them.
                var consumer = other.Services.GetRequiredService<ConsumerHealth>();
                await Eventually.TrueAsync(async () =>
                {
                    await ClickAsync(stack.Api.Client);
                    return consumer.Applied > 0;
                }, TimeSpan.FromSeconds(120), "the second instance never consumed");
            }
        }

        // Rebalances on the mock broker take about 10 s each (its join timer), and a member that left mid-join is only
        // dropped after the session timeout: 20-30 s in all here. Nothing is clicked meanwhile.
        Assert.True(await drain.WaitUntilDeliveredAsync(couponId, TimeSpan.FromSeconds(90), CancellationToken.None),
            "the group never got past what was accepted before the instance left");
        await stack.Api.WaitForDrainAsync(couponId);
        await Invariants.AssertHoldAsync(couponId, accepted);
    }
}
