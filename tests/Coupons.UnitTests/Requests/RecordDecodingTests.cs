using Confluent.Kafka;
using Coupons.Ops;
using Coupons.Requests;
using Coupons.Testing;
using CsCheck;

namespace Coupons.UnitTests.Requests;

/// <summary>design.md §2, I7: decoding a consumed record is total, whatever its value, key and headers hold.</summary>
public sealed class RecordDecodingTests
{
    private static readonly HashSet<string> DecodingReasons = [DeadLetterReason.Malformed, DeadLetterReason.TooLarge];

    [Fact]
    public void For_any_record_decoding_returns_a_request_or_a_reason_and_never_throws()
    {
        Fuzz.Check("record decoding (unit)", HostileRecords.Any(HostileRecords.MadeUp), record =>
        {
            var decoded = IssueRequestDecoder.Decode(record.ToMessage());

            Assert.True(decoded.Request is null != (decoded.Reason is null), $"exactly one of request and reason: {decoded}");
            if (decoded.Reason is { } reason)
            {
                Assert.Contains(reason, DecodingReasons); // never UNDECODABLE: that branch is a defect's safety net
                Assert.False(string.IsNullOrEmpty(decoded.Detail));
            }

            if (record.Valid is { } valid)
            {
                Assert.Equal(valid, decoded.Request); // no header or key makes a valid request unreadable
            }
        }, fixedSeed: "0000decode01", cases: 5_000, print: r => r.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("00-not-a-trace-01")]
    [InlineData("00-00000000000000000000000000000000-0000000000000000-01")]
    public void A_valid_request_whose_trace_context_is_garbage_is_decoded_without_one(string traceParent)
    {
        var request = new IssueRequested(Guid.CreateVersion7(), 11, 42, "test-user", DateTimeOffset.UtcNow, traceParent, "\u0000");

        var decoded = IssueRequestDecoder.Decode(new Message<string, byte[]> { Key = request.Key, Value = request.ToBytes() });

        Assert.Equal((request, default(System.Diagnostics.ActivityContext)), (decoded.Request, decoded.Parent));
    }

    [Fact]
    public void The_trace_context_a_click_sent_travels_in_the_message()
    {
        var parent = $"00-{System.Diagnostics.ActivityTraceId.CreateRandom()}-{System.Diagnostics.ActivitySpanId.CreateRandom()}-01";
        var request = new IssueRequested(Guid.CreateVersion7(), 11, 42, "test-user", DateTimeOffset.UtcNow, parent);

        var decoded = IssueRequestDecoder.Decode(new Message<string, byte[]> { Key = request.Key, Value = request.ToBytes() });

        Assert.Equal(parent[3..35], decoded.Parent.TraceId.ToHexString());
    }

    [Fact]
    public void A_valid_request_whose_trace_headers_have_no_value_is_decoded()
    {
        var request = new IssueRequested(Guid.CreateVersion7(), 11, 42, "test-user", DateTimeOffset.UtcNow);
        var message = new Message<string, byte[]>
        {
            Key = request.Key, Value = request.ToBytes(),
            Headers = [new Header(CouponTracing.TraceParentHeader, null), new Header(CouponTracing.TraceStateHeader, null)],
        };

        var decoded = IssueRequestDecoder.Decode(message);

        Assert.Equal(request, decoded.Request);
        Assert.Equal(default, decoded.Parent);
    }
}
