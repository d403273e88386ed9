using Confluent.Kafka;
using Coupons.Consumer;
using Coupons.Requests;

namespace Coupons.IntegrationTests.Issuance;

/// <summary>What reaches the consumer straight from Kafka: redeliveries, replays and garbage.</summary>
[Trait("Category", "Issuance")]
[Collection(StackCollection.Name)]
public sealed class PipelineTests(StackFixture stack)
{
    [Fact]
    public async Task Redelivered_and_replayed_messages_add_no_row_and_count_nothing_twice()
    {
        var (couponId, users) = await stack.Api.OpenSaleAsync(5, 2);
        var accepted = await stack.Api.IssueAsync(couponId, users[0]);
        Assert.Equal(HttpStatusCode.Accepted, accepted.Status);
        await stack.Api.WaitForDrainAsync(couponId);
        var userId = (await Invariants.ReadUserIdAsync(users[0]));

        // The same request three more times (a redelivery after a crash before commit, and two replays).
        var replay = new IssueRequested(accepted.RequestId!.Value, couponId, userId, users[0], DateTimeOffset.UtcNow);
        using (var producer = KafkaTestClients.Producer())
        {
            for (var i = 0; i < 3; i++)
            {
                await producer.ProduceAsync(KafkaTestClients.Topic, new Message<string, byte[]> { Key = replay.Key, Value = replay.ToBytes() });
            }

            // A forged second request for the same user: must be rejected by the database, not issued.
            var forged = replay with { RequestId = Guid.CreateVersion7() };
            await producer.ProduceAsync(KafkaTestClients.Topic, new Message<string, byte[]> { Key = forged.Key, Value = forged.ToBytes() });
            await WaitForDecisionAsync(couponId, forged.RequestId);
        }

        var facts = await Invariants.ReadAsync(couponId);
        Assert.Equal(1, facts.Rows);
        Assert.Equal(1, facts.IssuedQuantity);
        Assert.Equal("ISSUED", facts.RequestStatuses[accepted.RequestId.Value]);
        Assert.Equal(2, facts.RequestStatuses.Count);
        Assert.Contains("REJECTED", facts.RequestStatuses.Values);
    }

    [Fact]
    public async Task A_paused_consumer_leaves_accepted_requests_in_kafka_and_writes_them_once_resumed()
    {
        var (couponId, users) = await stack.Api.OpenSaleAsync(10, 3);
        var consumer = stack.App.Services.GetRequiredService<ConsumerHealth>();
        (await stack.Api.Admin.PostAsync("/api/admin/consumer/pause", null)).EnsureSuccessStatusCode();
        try
        {
            var ends = KafkaTestClients.RequestTopicEnds();
            var accepted = await Task.WhenAll(users.Select(u => stack.Api.IssueAsync(couponId, u)));
            Assert.All(accepted, a => Assert.Equal(HttpStatusCode.Accepted, a.Status));

            // All three are readable in Kafka, and the paused consumer has kept polling since: an unpaused one would
            // have fetched and written them in these polls.
            var ids = accepted.Select(a => a.RequestId!.Value).ToHashSet();
            Assert.Equal(ids, KafkaTestClients.ReadRequests(ends, ids, TimeSpan.FromSeconds(30)));
            var readableAt = DateTimeOffset.UtcNow;
            await Eventually.TrueAsync(() => Task.FromResult(consumer.LastPoll > readableAt.AddMilliseconds(500)), TimeSpan.FromSeconds(30),
                "the paused consumer stopped polling");
            var paused = await stack.Api.ConsistencyAsync(couponId);
            Assert.Equal((0L, 3L), (paused.Database.UserCouponRows, paused.InFlight));
            Assert.Equal("PENDING", (await stack.Api.GetRequestAsync(couponId, accepted[0].RequestId!.Value))!.Status);
        }
        finally
        {
            (await stack.Api.Admin.PostAsync("/api/admin/consumer/resume", null)).EnsureSuccessStatusCode();
        }

        var report = await stack.Api.WaitForDrainAsync(couponId);
        Assert.True(report.Consistent, string.Join("; ", report.Problems));
        Assert.Equal(3, report.Database.UserCouponRows);
    }

    [Fact]
    public async Task A_malformed_message_goes_to_the_dead_letter_topic_and_the_consumer_keeps_going()
    {
        var marker = "garbage-" + Guid.NewGuid().ToString("N");
        using (var producer = KafkaTestClients.Producer())
        {
            await producer.ProduceAsync(KafkaTestClients.Topic, new Message<string, byte[]> { Key = marker, Value = Encoding.UTF8.GetBytes("{ this is not json") });
        }

        var dead = Assert.Single(KafkaTestClients.ReadDeadLetters(new HashSet<string> { marker }, 1, TimeSpan.FromSeconds(60)));
        Assert.Contains("not a valid IssueRequested", KafkaTestClients.Header(dead, "dlq-error"), StringComparison.Ordinal);

        // Operators see it through the admin API and can send it back (it fails again and returns to the DLQ).
        var listed = await stack.Api.Admin.GetFromJsonAsync<List<DeadLetter>>("/api/admin/dead-letters?max=1000");
        var entry = Assert.Single(listed!, d => d.Key == marker);
        Assert.Contains("not a valid IssueRequested", entry.Error, StringComparison.Ordinal);
        var replay = await stack.Api.Admin.PostAsync($"/api/admin/dead-letters/{entry.Partition}/{entry.Offset}/replay", null);
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        var missing = await stack.Api.Admin.PostAsync($"/api/admin/dead-letters/{entry.Partition}/{long.MaxValue - 1}/replay", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        // The consumer did not stop: a normal request right after is still issued.
        var (couponId, user) = await stack.Api.OpenSaleForOneAsync(1);
        var answer = await stack.Api.IssueAsync(couponId, user);
        Assert.Equal(HttpStatusCode.Accepted, answer.Status);
        await stack.Api.WaitForDrainAsync(couponId);
        await Invariants.AssertHoldAsync(couponId, [answer.RequestId!.Value]);
    }

    private Task WaitForDecisionAsync(long couponId, Guid requestId) =>
        Eventually.TrueAsync(async () => (await stack.Api.GetRequestAsync(couponId, requestId))?.Status is "ISSUED" or "REJECTED",
            TimeSpan.FromSeconds(60), $"request {requestId} was never decided");
}
