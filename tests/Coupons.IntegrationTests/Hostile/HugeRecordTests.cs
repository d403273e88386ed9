using System.Text.RegularExpressions;
using Confluent.Kafka;
using Coupons.IntegrationTests.Faults;

namespace Coupons.IntegrationTests.Hostile;

/// <summary>
/// design.md §2, I7 under the 256 MB heap of design.md §6 (scenario 4): a record the broker keeps compressed can unpack
/// to far more than the heap. Only its head may reach managed memory; it is dead-lettered and the requests behind it
/// are decided.
/// </summary>
[Trait("Category", "Hostile")]
[Collection(FaultCollection.Name)]
public sealed partial class HugeRecordTests
{
    /// <param name="carriedIn">Where the 300 MB are: the value, or one header (the value then a stray byte).</param>
    [Theory]
    [InlineData("value", "TOO_LARGE")]
    [InlineData("header", "MALFORMED")]
    public async Task A_compressed_record_that_unpacks_past_a_256_MB_heap_is_dead_lettered_and_the_consumer_goes_on(string carriedIn, string reason)
    {
        // Hostile review (issue 21): 300 MB of one byte, gzip, on partition 0: OutOfMemoryException out of Consume
        // (5008) every 12-15 s, the new consumer read the same record again, and the clicks behind it stayed PENDING
        // for good. The second review put the 300 MB in a header: the client copies every header of a record into
        // managed memory.
        var port = FreeTcpPort.Find();
        await using var app = await AppProcess.StartAsync(port, new Dictionary<string, string>
        {
            ["DOTNET_GCHeapHardLimit"] = "0x10000000",
            ["Reconciliation:GateCheckInterval"] = "00:00:00.5",
        }, "huge-record");
        var api = new ApiDriver(app.Client, app.Admin);
        var (couponId, users) = await api.OpenSaleAsync(8, 8);
        var deadLetterEnds = KafkaTestClients.DeadLetterTopicEnds();
        var sources = new HashSet<string>();
        var huge = new byte[300_000_000];
        Array.Fill(huge, (byte)'a');
        using (var producer = KafkaTestClients.Producer(CompressionType.Gzip, messageMaxBytes: 400_000_000))
        {
            for (var partition = 0; partition < 4; partition++)
            {
                var record = carriedIn == "value"
                    ? new Message<string, byte[]> { Key = "huge", Value = huge }
                    : new Message<string, byte[]> { Key = "huge-header", Value = "x"u8.ToArray(), Headers = new Headers { { "x", huge } } };
                var report = await producer.ProduceAsync(new TopicPartition(KafkaTestClients.Topic, partition), record);
                sources.Add(report.TopicPartitionOffset.ToString());
            }
        }

        huge = null;
        var accepted = await Task.WhenAll(users.Select(u => api.IssueAsync(couponId, u)));
        Assert.All(accepted, a => Assert.Equal(HttpStatusCode.Accepted, a.Status));

        await api.WaitForDrainAsync(couponId, TimeSpan.FromSeconds(120));
        await Invariants.AssertHoldAsync(couponId, [.. accepted.Select(a => a.RequestId!.Value)]);
        var dead = KafkaTestClients.ReadDeadLettersFrom(deadLetterEnds, sources, TimeSpan.FromSeconds(30));
        Assert.Equal(sources.Order(), dead.Keys.Order());
        Assert.All(dead.Values.SelectMany(d => d), d => Assert.Equal(reason, KafkaTestClients.Header(d, "dlq-reason")));
        Assert.False(app.HasExited);
        Assert.Equal(0, await ConsumerRestartsAsync(app));
    }

    private static async Task<double> ConsumerRestartsAsync(AppProcess app)
    {
        var metrics = await app.Admin.GetStringAsync("/metrics");
        Assert.True(RestartsLine().IsMatch(metrics), "the app exports no coupons_consumer_restarts_total series: no restart would read as 0");
        return RestartsLine().Matches(metrics).Sum(m => double.Parse(m.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^coupons_consumer_restarts_total(\{[^}]*\})? (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex RestartsLine();
}
