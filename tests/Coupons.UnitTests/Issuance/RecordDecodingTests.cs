using Confluent.Kafka;
using Coupons.Issuance;
using Coupons.Ops;
using Coupons.Testing;
using CsCheck;

namespace Coupons.UnitTests.Issuance;

/// <summary>SPEC I7: decoding a consumed record is total, whatever its value, key and headers hold.</summary>
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

    [Fact]
    public void A_traceparent_header_without_a_value_carries_no_trace_context()
    {
        // kcat -H traceparent produces a header with a null value; it stopped the consumer for good (issue 21, item 1).
        var headers = new Headers { new Header(CouponTracing.TraceParentHeader, null) };

        Assert.Equal(default, CouponTracing.ExtractContext(headers));
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
