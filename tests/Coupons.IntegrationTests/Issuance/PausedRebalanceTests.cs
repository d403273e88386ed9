using Coupons.Client;
using Coupons.Consumer;

namespace Coupons.IntegrationTests.Issuance;

/// <summary>
/// A consumer paused by an operator while the group rebalances: partitions it held paused move to another instance and
/// come back after it resumed. librdkafka keeps a partition's pause across a revoke and a later assignment, so such a
/// partition came back paused and was never read again (clean clone V: three PipelineTests found requests of the
/// partitions another test's instance had handed back stuck PENDING). Every partition must be read after the resume.
/// </summary>
[Trait("Category", "Issuance")]
[Collection(StackCollection.Name)]
public sealed class PausedRebalanceTests(StackFixture stack)
{
    [Fact]
    public async Task Partitions_that_move_away_while_paused_and_come_back_after_the_resume_are_read()
    {
        // This instance holds every partition, then holds them paused: the ones the second instance takes were paused
        // here.
        var own = stack.App.Services.GetRequiredService<ConsumerHealth>();
        await Eventually.TrueAsync(() => Task.FromResult(own.AssignedPartitions == 4), TimeSpan.FromSeconds(60), "this instance never held every partition");
        await stack.Api.Operator.SetConsumerPausedAsync(true);
        try
        {
            await Eventually.TrueAsync(() => Task.FromResult(own.Holding), TimeSpan.FromSeconds(10), "the consumer never held its partitions paused");
            await using (var second = new CouponApiFactory())
            {
                await ApiDriver.WaitUntilReadyAsync(second.CreateClient());
                var theirs = second.Services.GetRequiredService<ConsumerHealth>();
                await Eventually.TrueAsync(() => Task.FromResult(theirs.AssignedPartitions > 0), TimeSpan.FromSeconds(60),
                    "the second instance never took a partition from the paused one");
                await stack.Api.Operator.SetConsumerPausedAsync(false);
            }

            // The second instance left: its partitions come back to the (now resumed) first.
            await Eventually.TrueAsync(() => Task.FromResult(own.AssignedPartitions == 4), TimeSpan.FromSeconds(60),
                "the partitions never came back");
        }
        finally
        {
            await stack.Api.Operator.SetConsumerPausedAsync(false);
        }

        var (couponId, people) = await stack.Api.OpenSaleAsync(stock: 100, people: 40); // requests on every partition
        var accepted = new List<Guid>();
        foreach (var person in people)
        {
            var answer = await stack.Api.IssueAsync(couponId, person);
            Assert.Equal(HttpStatusCode.Accepted, answer.Status);
            accepted.Add(answer.RequestId!.Value);
        }

        var report = await stack.Api.WaitForDrainAsync(couponId, TimeSpan.FromSeconds(60));
        Assert.True(report.Consistent, string.Join("; ", report.Problems));
        await Invariants.AssertHoldAsync(couponId, accepted);
    }
}
