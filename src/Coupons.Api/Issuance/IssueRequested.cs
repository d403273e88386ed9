using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coupons.Issuance;

/// <summary>The message on <c>coupon.issue.requested</c>: a request the gate accepted and the database must now record.</summary>
public sealed record IssueRequested(Guid RequestId, long CouponId, long UserId, string PublicId, DateTimeOffset RequestedAt)
{
    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, IssuanceJson.Default.IssueRequested);

    /// <summary>Parses and validates a message; throws <see cref="FormatException"/> for anything a producer of ours would not send.</summary>
    public static IssueRequested Parse(ReadOnlySpan<byte> payload)
    {
        IssueRequested? message;
        try
        {
            message = JsonSerializer.Deserialize(payload, IssuanceJson.Default.IssueRequested);
        }
        catch (JsonException ex)
        {
            throw new FormatException("payload is not a valid IssueRequested JSON document: " + ex.Message, ex);
        }

        if (message is null || message.RequestId == Guid.Empty || message.CouponId <= 0 || message.UserId <= 0
            || !Infrastructure.Http.Ids.IsValidPublicId(message.PublicId))
        {
            throw new FormatException("IssueRequested is missing requestId, couponId, userId or a valid publicId");
        }

        return message;
    }

    /// <summary>Partition key: one user's requests for one coupon stay in order on one partition.</summary>
    public string Key => $"{CouponId}:{PublicId}";
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IssueRequested))]
internal sealed partial class IssuanceJson : JsonSerializerContext;
