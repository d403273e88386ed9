using System.Text.Json;

namespace Coupons.IntegrationTests.Hostile;

/// <summary>
/// SPEC I6: no message, however well formed, stops the consumer for others. A message whose failure is deterministic
/// goes to the dead-letter topic with its reason; real requests in the same partitions and batches are issued.
/// </summary>
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
}
