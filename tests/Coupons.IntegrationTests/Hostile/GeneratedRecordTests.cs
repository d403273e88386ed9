using Confluent.Kafka;
using Coupons.Consumer;
using Coupons.Requests;
using Coupons.Testing;
using CsCheck;

namespace Coupons.IntegrationTests.Hostile;

/// <summary>
/// design.md §2, I7 with generated adversaries on the real stack: whatever records reach <c>coupon.issue.requested</c>
/// — from <see cref="HostileRecords"/>, some compressed, some far larger than the app's own producer sends —
/// interleaved with real clicks, every real request is decided, every hostile record is dead-lettered with a reason,
/// the consumer loop never starts over and the dead-letter listing answers.
/// </summary>
[Trait("Category", "Hostile")]
[Collection(StackCollection.Name)]
public sealed class GeneratedRecordTests(StackFixture stack)
{
    private static readonly HashSet<string> Reasons =
    [
        DeadLetterReason.Malformed, DeadLetterReason.TooLarge, DeadLetterReason.UnknownCoupon, DeadLetterReason.UnknownUser,
        DeadLetterReason.PublicIdMismatch, DeadLetterReason.RequestIdConflict, DeadLetterReason.ConstraintFailed,
    ];

    /// <summary>
    /// Values the broker takes compressed and the app's producer would refuse uncompressed (issue 21, item 5).
    /// </summary>
    private static readonly Gen<HostileRecord> Huge = Gen.Int[1_100_000, 3_000_000].Select(size =>
        new HostileRecord("huge", Enumerable.Repeat((byte)'x', size).ToArray(), [], null));

    private static readonly Gen<(List<HostileRecord> Records, bool Compressed, int Clicks)> Cases = Gen.Select(
        Gen.Frequency((12, HostileRecords.Any(HostileRecords.MadeUp)), (1, Huge)).List[1, 6], Gen.Bool, Gen.Int[1, 4]);

    [Fact]
    public async Task Real_requests_are_decided_and_every_hostile_record_is_dead_lettered_whatever_the_topic_holds()
    {
        var consumer = stack.App.Services.GetRequiredService<ConsumerHealth>();
        var restarts = consumer.Restarts;
        using var plain = KafkaTestClients.Producer();
        using var compressing = KafkaTestClients.Producer(CompressionType.Lz4);

        await Fuzz.CheckAsync("hostile records on the real stack", Cases, async c =>
        {
            var (couponId, users) = await stack.Api.OpenSaleAsync(c.Clicks, c.Clicks);
            var deadLetterEnds = KafkaTestClients.DeadLetterTopicEnds();
            var producer = c.Compressed || c.Records.Any(r => r.Value?.Length > 1_000_000) ? compressing : plain;
            var sources = new HashSet<string>();
            var half = c.Records.Count / 2;
            for (var i = 0; i < half; i++)
            {
                sources.Add(await ProduceAsync(producer, c.Records[i], i));
            }

            var accepted = await Task.WhenAll(users.Select(u => stack.Api.IssueAsync(couponId, u)));
            for (var i = half; i < c.Records.Count; i++)
            {
                sources.Add(await ProduceAsync(producer, c.Records[i], i));
            }

            Assert.All(accepted, a => Assert.Equal(HttpStatusCode.Accepted, a.Status));
            var report = await stack.Api.WaitForDrainAsync(couponId, TimeSpan.FromSeconds(60));
            Assert.True(report.Consistent, string.Join("; ", report.Problems));
            await Invariants.AssertHoldAsync(couponId, [.. accepted.Select(a => a.RequestId!.Value)]);

            var dead = KafkaTestClients.ReadDeadLettersFrom(deadLetterEnds, sources, TimeSpan.FromSeconds(30));
            Assert.True(dead.Count == sources.Count, $"dead-lettered {dead.Count} of {sources.Count}; missing {string.Join(", ", sources.Except(dead.Keys))}");
            Assert.All(dead.Values.SelectMany(d => d), d => Assert.Contains(KafkaTestClients.Header(d, "dlq-reason") ?? "none", Reasons));
            Assert.Equal(restarts, consumer.Restarts);
            using var listing = await stack.Api.Admin.GetAsync("/api/admin/dead-letters?max=50");
            Assert.Equal(HttpStatusCode.OK, listing.StatusCode);
        }, fixedSeed: "00000records", cases: 8, print: c => $"compressed={c.Compressed} clicks={c.Clicks} records=[{string.Join("; ", c.Records)}]");
    }

    /// <summary>
    /// Produces a record to partition <paramref name="index"/> mod 4 and returns its position as the dead letter names
    /// it.
    /// </summary>
    private static async Task<string> ProduceAsync(IProducer<string, byte[]> producer, HostileRecord record, int index)
    {
        var report = await producer.ProduceAsync(new TopicPartition(KafkaTestClients.Topic, index % 4), record.ToMessage());
        return report.TopicPartitionOffset.ToString();
    }
}
