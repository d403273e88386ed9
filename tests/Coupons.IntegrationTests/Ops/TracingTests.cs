using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using Coupons.Requests;

namespace Coupons.IntegrationTests.Ops;

[Trait("Category", "Ops")]
[Collection(StackCollection.Name)]
public sealed class TracingTests(StackFixture stack) : IDisposable
{
    private readonly ConcurrentQueue<Activity> _finished = new();
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name is "Coupons.Api" or "Microsoft.AspNetCore",
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    /// <summary>
    /// Kafka may deliver a message more than once (a failed offset commit after a rebalance re-reads the batch), so the
    /// trace may hold more than one database span for the request. Here a redelivery is made on purpose: the same
    /// message, with the click's trace context, is produced again. Every write span joins the click's trace, and the
    /// database still holds one row.
    /// </summary>
    [Fact]
    public async Task One_trace_runs_from_the_click_through_kafka_to_the_database_write_and_a_redelivery_joins_it()
    {
        _listener.ActivityStopped = activity => _finished.Enqueue(activity);
        ActivitySource.AddActivityListener(_listener);
        var (couponId, user) = await stack.Api.OpenSaleForOneAsync(5);
        var traceId = ActivityTraceId.CreateRandom();
        var traceParent = $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01";

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/coupons/{couponId}/issue-fcfs/{user}");
        request.Headers.Add("traceparent", traceParent);
        using var response = await stack.Api.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await stack.Api.WaitForDrainAsync(couponId);
        var requestId = (await Invariants.ReadAsync(couponId)).IssuedRequestIds.Single();

        var redelivery = new IssueRequested(requestId, couponId, await Invariants.ReadUserIdAsync(user), user, DateTimeOffset.UtcNow, traceParent);
        using (var producer = KafkaTestClients.Producer())
        {
            await producer.ProduceAsync(KafkaTestClients.Topic, new Message<string, byte[]>
            {
                Key = redelivery.Key,
                Value = redelivery.ToBytes(),
            });
        }

        await Eventually.TrueAsync(() => Task.FromResult(PersistSpans(traceId).Count >= 2), TimeSpan.FromSeconds(30), "the redelivery's write span never arrived");

        var names = _finished.Where(a => a.TraceId == traceId).Select(a => a.OperationName).ToHashSet();
        Assert.Contains("coupon.gate", names);
        Assert.Contains("coupon.publish", names);
        Assert.All(PersistSpans(traceId), persist =>
        {
            Assert.Equal(ActivityKind.Consumer, persist.Kind);
            Assert.Equal("ISSUED", persist.GetTagItem("coupon.request.status"));
        });
        Assert.Contains(PersistSpans(traceId), persist => persist.GetTagItem("coupon.request.redelivered") is true);
        Assert.Equal(1, (await Invariants.ReadAsync(couponId)).Rows);
    }

    private List<Activity> PersistSpans(ActivityTraceId traceId) =>
        _finished.Where(a => a.TraceId == traceId && a.OperationName == "coupon.persist").ToList();

    public void Dispose() => _listener.Dispose();
}
