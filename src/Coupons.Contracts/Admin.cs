namespace Coupons.Contracts;

public sealed record CreateCouponRequest(
    string? Name,
    string? CouponType,
    decimal? DiscountRate,
    decimal? DiscountAmount,
    decimal? MinOrderAmount,
    int? TotalQuantity,
    DateTimeOffset? StartDate,
    DateTimeOffset? EndDate,
    int? ValidityDays,
    decimal? MaxDiscountAmount = null);

public sealed record CreatedCoupon(long Id);

/// <summary>
/// Whether an operator asked this instance's consumer to pause, and whether it is holding its partitions now.
/// </summary>
public sealed record ConsumerState(bool PauseRequested, bool Paused);

public sealed record NewUserRequest(string? PublicId, string? Name, string? Email);

public sealed record CreateUsersRequest(IReadOnlyList<NewUserRequest>? Users);

public sealed record CreatedUsers(int Requested, int Created);

public sealed record OpenedEvent(long CouponId, bool Opened, long? RemainingStock, long AcceptedRequests);

public sealed record DatabaseView(int IssuedQuantity, long UserCouponRows, long IssuedRequests, long RejectedRequests);

public sealed record RedisView(bool GateOpen, long? RemainingStock, long AcceptedRequests);

/// <summary>
/// One coupon seen from Redis, the database and the pipeline between them. <c>Consistent</c> means: nothing in
/// flight, every request Redis accepted is issued in the database, and Redis's stock plus the database's
/// issued rows add up to the total.
/// </summary>
public sealed record ConsistencyReportView(
    long CouponId,
    int TotalQuantity,
    DatabaseView Database,
    RedisView Redis,
    long InFlight,
    long Parked,
    bool Consistent,
    IReadOnlyList<string> Problems)
{
    /// <summary>The coupon's name, so that an operator about to act on it sees which one it is.</summary>
    public string Name { get; init; } = "";

    /// <summary>
    /// Its sale window (UTC): a coupon is on sale from <see cref="StartsAt"/> until <see cref="EndsAt"/>.
    /// </summary>
    public DateTime StartsAt { get; init; }

    public DateTime EndsAt { get; init; }
}

/// <summary>
/// One admin action: who (key id or token subject), what (method and route), which coupon, from which client, the
/// result, when.
/// </summary>
public sealed record AdminAuditEntry
{
    public long Id { get; init; }

    public DateTime At { get; init; }

    public string Actor { get; init; } = "";

    public string Action { get; init; } = "";

    public long? CouponId { get; init; }

    public string Client { get; init; } = "";

    public int Status { get; init; }
}

public sealed record DeadLetter(int Partition, long Offset, string? Key, string? Error, string? Source, string? At, string Payload);

public sealed record ReconcileResult(long CouponId, bool Ran, string? SkippedBecause, int ReturnedLeaked, int ReturnedRejected, int HoldersRestored);
