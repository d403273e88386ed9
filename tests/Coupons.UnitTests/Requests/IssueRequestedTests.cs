using System.Text;
using Coupons.Requests;

namespace Coupons.UnitTests.Requests;

public sealed class IssueRequestedTests
{
    [Fact]
    public void A_message_survives_a_round_trip_through_its_wire_format()
    {
        var message = new IssueRequested(Guid.CreateVersion7(), 11, 42, "test-user", new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));

        var parsed = IssueRequested.Parse(message.ToBytes());

        Assert.Equal(message, parsed);
        Assert.Equal("11:test-user", parsed.Key);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("null")]
    [InlineData("{\"requestId\":\"00000000-0000-0000-0000-000000000000\",\"couponId\":1,\"userId\":1,\"publicId\":\"u\"}")]
    [InlineData("{\"requestId\":\"01a212dc-e4f1-7517-ae43-b4ad71e461f0\",\"couponId\":-1,\"userId\":1,\"publicId\":\"u\"}")]
    [InlineData("{\"requestId\":\"01a212dc-e4f1-7517-ae43-b4ad71e461f0\",\"couponId\":1,\"userId\":1,\"publicId\":\"bad id\"}")]
    [InlineData("{\"requestId\":\"01a212dc-e4f1-7517-ae43-b4ad71e461f0\",\"couponId\":\"x\",\"userId\":1,\"publicId\":\"u\"}")]
    [InlineData("{\"requestId\":\"01a212dc-e4f1-7517-ae43-b4ad71e461f0\",\"couponId\":1,\"userId\":1,\"publicId\":\"u\"}")]
    [InlineData("{\"requestId\":\"01a212dc-e4f1-7517-ae43-b4ad71e461f0\",\"couponId\":1,\"userId\":1,\"publicId\":\"u\",\"requestedAt\":\"0001-01-01T00:00:00Z\"}")]
    public void Malformed_messages_are_rejected_with_a_format_error(string payload)
    {
        var error = Assert.Throws<UnreadableMessageException>(() => IssueRequested.Parse(Encoding.UTF8.GetBytes(payload)));
        Assert.Equal(DeadLetterReason.Malformed, error.Reason);
    }

    [Fact]
    public void An_oversized_message_is_refused_before_it_is_parsed()
    {
        var padded = Encoding.UTF8.GetBytes("{\"publicId\":\"" + new string('x', IssueRequested.MaxBytes) + "\"}");

        var error = Assert.Throws<UnreadableMessageException>(() => IssueRequested.Parse(padded));

        Assert.Equal(DeadLetterReason.TooLarge, error.Reason);
    }
}
