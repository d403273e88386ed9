using System.Net;
using System.Net.Http.Json;
using System.Text;
using Confluent.Kafka;
using Coupons.IntegrationTests.Infrastructure;
using Coupons.Issuance;

namespace Coupons.IntegrationTests.Issuance;

/// <summary>What reaches the consumer straight from Kafka: redeliveries, replays and garbage.</summary>
[Collection(StackCollection.Name)]
public sealed class PipelineTests(StackFixture stack)
{
    private const string Topic = "coupon.issue.requested";
    private const string DeadLetterTopic = "coupon.issue.requested.dlq";

    [Fact]
    public async Task Redelivered_and_replayed_messages_add_no_row_and_count_nothing_twice()
    {
        var couponId = await stack.Api.CreateOpenCouponAsync(5);
        var users = await stack.Api.CreateUsersAsync(2);
        var accepted = await stack.Api.IssueAsync(couponId, users[0]);
        Assert.Equal(HttpStatusCode.Accepted, accepted.Status);
        await stack.Api.WaitForDrainAsync(couponId);
        var userId = (await Invariants.ReadUserIdAsync(users[0]));

        // The same request three more times (a redelivery after a crash before commit, and two replays).
        var replay = new IssueRequested(accepted.RequestId!.Value, couponId, userId, users[0], DateTimeOffset.UtcNow);
        using (var producer = NewProducer())
        {
            for (var i = 0; i < 3; i++)
            {
                await producer.ProduceAsync(Topic, new Message<string, byte[]> { Key = replay.Key, Value = replay.ToBytes() });
            }

            // A forged second request for the same user: must be rejected by the database, not issued.
            var forged = replay with { RequestId = Guid.CreateVersion7() };
            await producer.ProduceAsync(Topic, new Message<string, byte[]> { Key = forged.Key, Value = forged.ToBytes() });
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
        var couponId = await stack.Api.CreateOpenCouponAsync(10);
        var users = await stack.Api.CreateUsersAsync(3);
        (await stack.Api.Admin.PostAsync("/api/admin/consumer/pause", null)).EnsureSuccessStatusCode();
        try
        {
            var accepted = await Task.WhenAll(users.Select(u => stack.Api.IssueAsync(couponId, u)));
            Assert.All(accepted, a => Assert.Equal(HttpStatusCode.Accepted, a.Status));

            await Task.Delay(TimeSpan.FromSeconds(2)); // more than enough for an unpaused consumer (batch window 50 ms)
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
        using (var producer = NewProducer())
        {
            await producer.ProduceAsync(Topic, new Message<string, byte[]> { Key = marker, Value = Encoding.UTF8.GetBytes("{ this is not json") });
        }

        var dead = ReadDeadLetter(marker, TimeSpan.FromSeconds(60));
        Assert.NotNull(dead);
        var error = dead.Message.Headers.FirstOrDefault(h => h.Key == "dlq-error");
        Assert.NotNull(error);
        Assert.Contains("not a valid IssueRequested", Encoding.UTF8.GetString(error.GetValueBytes()), StringComparison.Ordinal);

        // Operators see it through the admin API and can send it back (it fails again and returns to the DLQ).
        var listed = await stack.Api.Admin.GetFromJsonAsync<List<Coupons.Admin.DeadLetter>>("/api/admin/dead-letters?max=1000");
        var entry = Assert.Single(listed!, d => d.Key == marker);
        Assert.Contains("not a valid IssueRequested", entry.Error, StringComparison.Ordinal);
        var replay = await stack.Api.Admin.PostAsync($"/api/admin/dead-letters/{entry.Partition}/{entry.Offset}/replay", null);
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        var missing = await stack.Api.Admin.PostAsync($"/api/admin/dead-letters/{entry.Partition}/{long.MaxValue - 1}/replay", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        // The consumer did not stop: a normal request right after is still issued.
        var couponId = await stack.Api.CreateOpenCouponAsync(1);
        var user = (await stack.Api.CreateUsersAsync(1))[0];
        var answer = await stack.Api.IssueAsync(couponId, user);
        Assert.Equal(HttpStatusCode.Accepted, answer.Status);
        await stack.Api.WaitForDrainAsync(couponId);
        await Invariants.AssertHoldAsync(couponId, [answer.RequestId!.Value]);
    }

    private async Task WaitForDecisionAsync(long couponId, Guid requestId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await stack.Api.GetRequestAsync(couponId, requestId))?.Status is null or "PENDING")
        {
            Assert.True(DateTime.UtcNow < deadline, $"request {requestId} was never decided");
            await Task.Delay(200);
        }
    }

    private static IProducer<string, byte[]> NewProducer()
    {
        Coupons.Infrastructure.Kafka.KafkaServiceCollectionExtensions.LoadNativeClient();
        return new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = TestStack.Kafka, Acks = Acks.All, EnableIdempotence = true }).Build();
    }

    private static ConsumeResult<string, byte[]>? ReadDeadLetter(string key, TimeSpan timeout)
    {
        Coupons.Infrastructure.Kafka.KafkaServiceCollectionExtensions.LoadNativeClient();
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = TestStack.Kafka,
            GroupId = "dlq-test-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(DeadLetterTopic);
        var deadline = DateTime.UtcNow + timeout;
        try
        {
            while (DateTime.UtcNow < deadline)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
                if (result?.Message?.Key == key)
                {
                    return result;
                }
            }

            return null;
        }
        finally
        {
            consumer.Close();
        }
    }
}
