using System.Text.Json;
using Confluent.Kafka;
using Coupons.Consumer;
using Coupons.Requests;

namespace Coupons.IntegrationTests.Hostile;

/// <summary>
/// design.md §2, I7: no message, however well formed, stops the consumer for others. A message whose failure is
/// deterministic goes to the dead-letter topic with its reason; real requests in the same partitions and batches are
/// issued.
/// </summary>
[Trait("Category", "Hostile")]
[Collection(StackCollection.Name)]
public sealed class PoisonMessageTests(StackFixture stack)
{
    [Fact]
    public async Task A_well_formed_message_for_an_unknown_user_on_every_partition_is_dead_lettered_and_issuance_goes_on()
    {
        var (couponId, users) = await stack.Api.OpenSaleAsync(10, 3);
        var key = "ghost-" + Guid.NewGuid().ToString("N");
        var ghost = JsonSerializer.SerializeToUtf8Bytes(new
        {
            requestId = Guid.CreateVersion7(), couponId, userId = 999_999_999L, publicId = "ghost", requestedAt = DateTimeOffset.UtcNow,
        });

        // Each partition gets the poison ahead of the real requests that follow.
        await KafkaTestClients.ProduceToEveryPartitionAsync(key, ghost);
        var accepted = await Task.WhenAll(users.Select(u => stack.Api.IssueAsync(couponId, u)));
        Assert.All(accepted, a => Assert.Equal(HttpStatusCode.Accepted, a.Status));

        var report = await stack.Api.WaitForDrainAsync(couponId, TimeSpan.FromSeconds(60));
        Assert.True(report.Consistent, string.Join("; ", report.Problems));
        await Invariants.AssertHoldAsync(couponId, [.. accepted.Select(a => a.RequestId!.Value)]);

        var dead = KafkaTestClients.ReadDeadLetters(new HashSet<string> { key }, 4, TimeSpan.FromSeconds(30));
        Assert.Equal(4, dead.Count);
        Assert.All(dead, d => Assert.Equal("UNKNOWN_USER", KafkaTestClients.Header(d, "dlq-reason")));
        Assert.All(dead, d => Assert.Equal(ghost, d.Message.Value));
        var health = await stack.Api.Client.GetStringAsync("/actuator/health");
        Assert.StartsWith("{\"status\":\"UP\"", health, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_whose_trace_header_has_no_value_is_decided_and_the_requests_behind_it_are_issued()
    {
        // Issue 21, item 1: `kcat -H traceparent` (a header with no value) on each partition made the consumer start
        // over every 9 s (EventId 5008) without ever getting past it; every click behind it stayed PENDING.
        var (couponId, users) = await stack.Api.OpenSaleAsync(10, 5);
        var consumer = stack.App.Services.GetRequiredService<ConsumerHealth>();
        var restarts = consumer.Restarts;
        // Well formed, for a real user; a coupon that does not exist, so it is refused by the database, not issued past
        // the gate.
        var forged = new IssueRequested(Guid.CreateVersion7(), long.MaxValue, await Invariants.ReadUserIdAsync(users[0]), users[0], DateTimeOffset.UtcNow);
        var key = "no-trace-value-" + Guid.NewGuid().ToString("N");
        using (var producer = KafkaTestClients.Producer())
        {
            for (var partition = 0; partition < 4; partition++)
            {
                await producer.ProduceAsync(new TopicPartition(KafkaTestClients.Topic, partition), new Message<string, byte[]>
                {
                    Key = key, Value = forged.ToBytes(), Headers = [new Header("traceparent", null), new Header("tracestate", null)],
                });
            }
        }

        var accepted = await Task.WhenAll(users.Skip(1).Select(u => stack.Api.IssueAsync(couponId, u)));
        Assert.All(accepted, a => Assert.Equal(HttpStatusCode.Accepted, a.Status));

        var report = await stack.Api.WaitForDrainAsync(couponId, TimeSpan.FromSeconds(60));
        Assert.True(report.Consistent, string.Join("; ", report.Problems));
        await Invariants.AssertHoldAsync(couponId, [.. accepted.Select(a => a.RequestId!.Value)]);
        var dead = KafkaTestClients.ReadDeadLetters(new HashSet<string> { key }, 4, TimeSpan.FromSeconds(30));
        Assert.Equal(4, dead.Count);
        Assert.All(dead, d => Assert.Equal("UNKNOWN_COUPON", KafkaTestClients.Header(d, "dlq-reason")));
        Assert.Equal(restarts, consumer.Restarts); // SPEC I7: decided, not survived by starting over
    }

    [Fact]
    public async Task The_dead_letter_listing_answers_when_a_dead_letter_carries_headers_without_values()
    {
        var key = "dlq-null-headers-" + Guid.NewGuid().ToString("N");
        using (var producer = KafkaTestClients.Producer())
        {
            await producer.ProduceAsync(KafkaTestClients.DeadLetterTopic, new Message<string, byte[]>
            {
                Key = key, Value = null!, Headers = [new Header("dlq-reason", null), new Header("dlq-error", null), new Header("dlq-source", null), new Header("dlq-at", null)],
            });
        }

        using var response = await stack.Api.Admin.GetAsync("/api/admin/dead-letters?max=1000");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(key, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dead_letter_listing_shows_the_newest_dead_letters_first()
    {
        // Issue 21, item 10: the listing read each partition from its oldest message, so `dlq list --max N` hid the
        // newest.
        var run = Guid.NewGuid().ToString("N");
        using (var producer = KafkaTestClients.Producer())
        {
            foreach (var key in new[] { "old-1", "old-2", "old-3", "newest" })
            {
                await producer.ProduceAsync(new TopicPartition(KafkaTestClients.DeadLetterTopic, 0), new Message<string, byte[]>
                {
                    Key = $"{key}-{run}", Value = Encoding.UTF8.GetBytes("{}"), Headers = [new Header("dlq-reason", Encoding.UTF8.GetBytes("MALFORMED"))],
                });
            }
        }

        var listed = await stack.Api.Admin.GetFromJsonAsync<List<DeadLetter>>("/api/admin/dead-letters?max=2");

        Assert.NotNull(listed);
        Assert.Equal(2, listed.Count);
        Assert.Equal($"newest-{run}", listed[0].Key);
        Assert.Equal($"old-3-{run}", listed[1].Key);
    }

    [Fact]
    public async Task A_record_larger_than_the_apps_producer_may_send_is_dead_lettered_with_its_head_and_size()
    {
        // Issue 21, item 5: 2 MB that the broker took compressed could not be dead-lettered (over the producer's 1 MB),
        // so the batch was read again every second for ever, and the clicks behind it stayed PENDING.
        var (couponId, users) = await stack.Api.OpenSaleAsync(3, 3);
        var consumer = stack.App.Services.GetRequiredService<ConsumerHealth>();
        var restarts = consumer.Restarts;
        var deadLetterEnds = KafkaTestClients.DeadLetterTopicEnds();
        string source;
        using (var producer = KafkaTestClients.Producer(CompressionType.Lz4))
        {
            var report = await producer.ProduceAsync(new TopicPartition(KafkaTestClients.Topic, 1),
                new Message<string, byte[]> { Key = "huge", Value = Enumerable.Repeat((byte)'x', 2_000_000).ToArray() });
            source = report.TopicPartitionOffset.ToString();
        }

        var accepted = await Task.WhenAll(users.Select(u => stack.Api.IssueAsync(couponId, u)));
        Assert.All(accepted, a => Assert.Equal(HttpStatusCode.Accepted, a.Status));

        await stack.Api.WaitForDrainAsync(couponId, TimeSpan.FromSeconds(60));
        await Invariants.AssertHoldAsync(couponId, [.. accepted.Select(a => a.RequestId!.Value)]);
        var dead = KafkaTestClients.ReadDeadLettersFrom(deadLetterEnds, new HashSet<string> { source }, TimeSpan.FromSeconds(30));
        var letter = Assert.Single(Assert.Single(dead).Value);
        Assert.Equal(("TOO_LARGE", DeadLetterWriter.KeptBytes), (KafkaTestClients.Header(letter, "dlq-reason"), letter.Message.Value.Length));
        Assert.StartsWith("value longer than 65536 bytes", KafkaTestClients.Header(letter, "dlq-truncated"), StringComparison.Ordinal);
        Assert.Equal(restarts, consumer.Restarts);
    }

    [Fact]
    public async Task The_dead_letter_listing_stays_small_whatever_keys_the_dead_letters_carry()
    {
        // Hostile review (issue 21): five dead letters with 900,000-character keys of \x01 made a 27 MB answer to
        // ?max=5 (each \x01 is six bytes of JSON); max=1000 would have been gigabytes.
        using (var producer = KafkaTestClients.Producer(CompressionType.Gzip))
        {
            for (var i = 0; i < 3; i++)
            {
                await producer.ProduceAsync(new TopicPartition(KafkaTestClients.DeadLetterTopic, 0),
                    new Message<string, byte[]> { Key = new string('\u0001', 900_000), Value = Encoding.UTF8.GetBytes("{}") });
            }
        }

        using var response = await stack.Api.Admin.GetAsync("/api/admin/dead-letters?max=3");
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.Length < 64 * 1024, $"{body.Length} bytes for three dead letters");
    }
}
