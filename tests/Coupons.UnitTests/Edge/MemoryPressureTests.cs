using Coupons.Infrastructure.Edge;

namespace Coupons.UnitTests.Edge;

/// <summary>When a heap near its limit sheds new public requests (MemoryPressure), and that it does not flap.</summary>
public sealed class MemoryPressureTests
{
    private const long Limit = 100L * 1024 * 1024;

    [Theory]
    [InlineData(false, 79, false)]
    [InlineData(false, 80, true)]
    [InlineData(true, 75, true)]   // between the marks: keeps what it was doing
    [InlineData(false, 75, false)]
    [InlineData(true, 69, false)]
    [InlineData(true, 100, true)]
    public void Shedding_starts_at_the_high_mark_and_stops_below_the_low_one(bool shedding, int heapPercent, bool expected) =>
        Assert.Equal(expected, MemoryPressure.Decide(shedding, Limit * heapPercent / 100, Limit, shedAtPercent: 80, resumeBelowPercent: 70));

    [Fact]
    public void Its_counters_are_on_the_services_meter_that_metrics_exports() =>
        Assert.Equal(Coupons.Ops.CouponMetrics.MeterName, MemoryPressure.MeterName);

    [Fact]
    public void A_shed_request_hears_the_services_one_429_problem()
    {
        var body = System.Text.Json.JsonDocument.Parse(MemorySheddingMiddleware.Body).RootElement;
        Assert.Equal("RATE_LIMITED", body.GetProperty("code").GetString());
        Assert.Equal(429, body.GetProperty("status").GetInt32());
        Assert.Equal(Coupons.Infrastructure.Http.RateLimitedResponse.Detail, body.GetProperty("detail").GetString());
    }

    [Fact]
    public void Nothing_is_shed_while_the_limit_is_unknown() =>
        Assert.False(MemoryPressure.Decide(true, Limit, 0, 80, 70));
}
