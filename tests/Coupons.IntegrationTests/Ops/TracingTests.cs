using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Coupons.IntegrationTests.Infrastructure;

namespace Coupons.IntegrationTests.Ops;

[Collection(StackCollection.Name)]
public sealed class TracingTests(StackFixture stack) : IDisposable
{
    private readonly ConcurrentQueue<Activity> _finished = new();
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name is "Coupons.Api" or "Microsoft.AspNetCore",
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    [Fact]
    public async Task One_trace_runs_from_the_click_through_kafka_to_the_database_write()
    {
        _listener.ActivityStopped = activity => _finished.Enqueue(activity);
        ActivitySource.AddActivityListener(_listener);
        var couponId = await stack.Api.CreateOpenCouponAsync(5);
        var user = (await stack.Api.CreateUsersAsync(1))[0];
        var traceId = ActivityTraceId.CreateRandom();

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/coupons/{couponId}/issue-fcfs/{user}");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await stack.Api.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await stack.Api.WaitForDrainAsync(couponId);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!_finished.Any(a => a.OperationName == "coupon.persist" && a.TraceId == traceId) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var trace = _finished.Where(a => a.TraceId == traceId).ToList();
        var names = trace.Select(a => a.OperationName).ToHashSet();
        Assert.Contains("coupon.gate", names);
        Assert.Contains("coupon.publish", names);
        var persist = Assert.Single(trace, a => a.OperationName == "coupon.persist");
        Assert.Equal(ActivityKind.Consumer, persist.Kind);
        Assert.Equal("ISSUED", persist.GetTagItem("coupon.request.status"));
    }

    public void Dispose() => _listener.Dispose();
}
