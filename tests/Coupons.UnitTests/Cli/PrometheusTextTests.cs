using Coupons.Cli;

namespace Coupons.UnitTests.Cli;

public sealed class PrometheusTextTests
{
    [Fact]
    public void Samples_are_read_with_their_labels_and_comments_are_skipped()
    {
        const string text = """
            # HELP coupons_consumer_lag Messages not yet committed.
            # TYPE coupons_consumer_lag gauge
            coupons_consumer_lag{otel_scope_name="Coupons",partition="0"} 12 1764150000000
            coupons_consumer_lag{partition="1"} 0
            coupons_parked_requests 3
            http_server_request_duration_seconds_bucket{http_route="/a\"b",le="+Inf"} 7
            coupons_gc_heap_size_bytes 1.5e+07
            """;
        var samples = PrometheusText.Parse(text);
        Assert.Equal(5, samples.Count);
        Assert.Equal(12, samples[0].Value);
        Assert.Equal("0", samples[0].Labels["partition"]);
        Assert.Equal(3, samples.Single(s => s.Name == "coupons_parked_requests").Value);
        Assert.Equal("+Inf", samples.Single(s => s.Name.EndsWith("_bucket", StringComparison.Ordinal)).Labels["le"]);
        Assert.Equal(15_000_000, samples[^1].Value);
    }

    [Fact]
    public void A_label_value_with_braces_is_read_whole()
    {
        const string line = """http_server_request_duration_seconds_count{http_route="/api/coupons/{couponId}/issue-fcfs/{publicId}",http_response_status_code="202"} 42""";
        var sample = Assert.Single(PrometheusText.Parse(line));
        Assert.Equal("/api/coupons/{couponId}/issue-fcfs/{publicId}", sample.Labels["http_route"]);
        Assert.Equal("202", sample.Labels["http_response_status_code"]);
        Assert.Equal(42, sample.Value);
    }
}
