using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coupons.Requests;

/// <summary>The message on <c>coupon.issue.requested</c>: a request the gate accepted and the database must now
/// record.</summary>
/// <param name="TraceParent">The accepting click's W3C trace context, so the database write joins its trace. In the
/// message, not in a header: the consumer reads no headers (a header can be any size; see
/// ConsumerLoop).</param>
public sealed record IssueRequested(
    Guid RequestId, long CouponId, long UserId, string PublicId, DateTimeOffset RequestedAt, string? TraceParent = null, string? TraceState = null)
{
    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, IssuanceJson.Default.IssueRequested);

    /// <summary>Far more than any message this service produces (about 200 bytes); a bigger one is not ours.</summary>
    public const int MaxBytes = 4 * 1024;

    private static readonly DateTimeOffset EarliestRequest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset LatestRequest = new(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Parses and validates a message; throws <see cref="UnreadableMessageException"/> (a
    /// <see cref="FormatException"/>, with its <see cref="DeadLetterReason"/>) for anything a producer of ours would
    /// not send.
    /// </summary>
    public static IssueRequested Parse(ReadOnlySpan<byte> payload)
    {
        if (payload.Length > MaxBytes)
        {
            throw new UnreadableMessageException(DeadLetterReason.TooLarge, $"payload of {payload.Length} bytes is over the {MaxBytes}-byte limit");
        }

        IssueRequested? message;
        try
        {
            message = JsonSerializer.Deserialize(payload, IssuanceJson.Default.IssueRequested);
        }
        catch (JsonException ex)
        {
            throw new UnreadableMessageException(DeadLetterReason.Malformed, "payload is not a valid IssueRequested JSON document: " + ex.Message, ex);
        }

        if (message is null || message.RequestId == Guid.Empty || message.CouponId <= 0 || message.UserId <= 0
            || !Infrastructure.Http.Ids.IsValidPublicId(message.PublicId))
        {
            throw new UnreadableMessageException(DeadLetterReason.Malformed, "IssueRequested is missing requestId, couponId, userId or a valid publicId");
        }

        // Every database holds this range (MySQL's DATETIME starts in year 1000); a request time outside it is not
        // ours.
        if (message.RequestedAt < EarliestRequest || message.RequestedAt >= LatestRequest)
        {
            throw new UnreadableMessageException(DeadLetterReason.Malformed, $"requestedAt {message.RequestedAt:O} is not a plausible request time");
        }

        return message;
    }

    /// <summary>Partition key: one user's requests for one coupon stay in order on one partition.</summary>
    public string Key => $"{CouponId}:{PublicId}";
}

/// <summary>
/// A message that is not an IssueRequested this service would produce; <see cref="Reason"/> is its
/// <see cref="DeadLetterReason"/>.
/// </summary>
public sealed class UnreadableMessageException(string reason, string message, Exception? inner = null) : FormatException(message, inner)
{
    public string Reason { get; } = reason;
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IssueRequested))]
internal sealed partial class IssuanceJson : JsonSerializerContext;
