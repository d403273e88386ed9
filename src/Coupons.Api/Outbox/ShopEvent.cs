using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coupons.Outbox;

/// <summary>The events the rest of the shop reads from <c>Kafka:EventsTopic</c> (docs/asyncapi.yaml).</summary>
public static class ShopEventTypes
{
    /// <summary>A user's coupon was written to the database (the request is ISSUED).</summary>
    public const string Issued = "coupon.issued";

    /// <summary>An order used the coupon at checkout.</summary>
    public const string Used = "coupon.used";

    /// <summary>The order that used the coupon was cancelled: the coupon is the user's to use again.</summary>
    public const string Restored = "coupon.restored";
}

/// <summary>
/// One event, as written to the outbox in the transaction of the change it tells of and published from there (at
/// least once: a consumer dedupes on <see cref="EventId"/>). Keyed by the user's publicId, so one user's events keep
/// their order on one partition.
/// </summary>
public sealed record ShopEvent(
    Guid EventId,
    string Type,
    DateTimeOffset OccurredAt,
    string UserPublicId,
    long CouponId,
    long? UserCouponId = null,
    Guid? RequestId = null,
    DateTimeOffset? ExpiresAt = null,
    string? OrderId = null,
    decimal? OrderAmount = null,
    decimal? Discount = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ShopEvent? FromJson(string json) => JsonSerializer.Deserialize<ShopEvent>(json, Json);
}
