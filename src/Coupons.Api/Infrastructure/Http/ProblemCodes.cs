namespace Coupons.Infrastructure.Http;

/// <summary>
/// Stable machine-readable codes carried in every problem details body as <c>code</c>. Never rename one.
/// </summary>
public static class ProblemCodes
{
    public const string InvalidCouponId = "INVALID_COUPON_ID";
    public const string InvalidPublicId = "INVALID_PUBLIC_ID";
    public const string InvalidRequestId = "INVALID_REQUEST_ID";
    public const string InvalidRequest = "INVALID_REQUEST";
    public const string CouponNotFound = "COUPON_NOT_FOUND";
    public const string UserNotFound = "USER_NOT_FOUND";
    public const string RequestNotFound = "REQUEST_NOT_FOUND";
    public const string RequestStatusUnknown = "REQUEST_STATUS_UNKNOWN";
    public const string StatusStreamsFull = "STATUS_STREAMS_FULL";
    public const string AlreadyRequested = "ALREADY_REQUESTED";
    public const string SoldOut = "SOLD_OUT";
    public const string NotOpen = "COUPON_NOT_OPEN";
    public const string Ended = "COUPON_ENDED";
    public const string GateNotReady = "GATE_NOT_READY";
    public const string SalePaused = "SALE_PAUSED";
    public const string CampaignEnded = "CAMPAIGN_ENDED";
    public const string SaleStarted = "SALE_STARTED";
    public const string TotalBelowTaken = "TOTAL_BELOW_TAKEN";
    public const string TotalChanged = "TOTAL_CHANGED";
    public const string CouponNotHeld = "COUPON_NOT_HELD";
    public const string CouponAlreadyUsed = "COUPON_ALREADY_USED";
    public const string CouponExpired = "COUPON_EXPIRED";
    public const string OrderChanged = "ORDER_CHANGED";
    public const string OrderCancelled = "ORDER_CANCELLED";
    public const string OrderBelowMinimum = "ORDER_BELOW_MINIMUM";
    public const string NotUsedByOrder = "NOT_USED_BY_ORDER";
    public const string DependencyUnavailable = "DEPENDENCY_UNAVAILABLE";
    public const string RedisUnavailable = "REDIS_UNAVAILABLE";
    public const string KafkaUnavailable = "KAFKA_UNAVAILABLE";
    public const string DatabaseUnavailable = "DATABASE_UNAVAILABLE";
    public const string TokenMissing = "TOKEN_MISSING";
    public const string TokenInvalid = "TOKEN_INVALID";
    public const string SubjectMismatch = "SUBJECT_MISMATCH";
    public const string RoleMissing = "ROLE_MISSING";
    public const string AdminKeyMissing = "ADMIN_KEY_MISSING";
    public const string AdminKeyInvalid = "ADMIN_KEY_INVALID";
    public const string AdminKeyReadOnly = "ADMIN_KEY_READ_ONLY";
    public const string RateLimited = "RATE_LIMITED";
    public const string PayloadTooLarge = "PAYLOAD_TOO_LARGE";
    public const string RequestTimeout = "REQUEST_TIMEOUT";
    public const string NotReconcilable = "NOT_RECONCILABLE";
    public const string InternalError = "INTERNAL_ERROR";
    public const string NotFound = "NOT_FOUND";
}
