namespace Coupons.Admin;

public sealed record CreateCouponRequest(
    string? Name,
    string? CouponType,
    decimal? DiscountRate,
    decimal? DiscountAmount,
    decimal? MinOrderAmount,
    int? TotalQuantity,
    DateTimeOffset? StartDate,
    DateTimeOffset? EndDate,
    int? ValidityDays);

public sealed record CreatedCoupon(long Id);

/// <summary>Whether an operator asked this instance's consumer to pause, and whether it is holding its partitions now.</summary>
public sealed record ConsumerState(bool PauseRequested, bool Paused);

public sealed record NewUserRequest(string? PublicId, string? Name, string? Email);

public sealed record CreateUsersRequest(IReadOnlyList<NewUserRequest>? Users);

public sealed record CreatedUsers(int Requested, int Created);

public sealed record OpenedEvent(long CouponId, bool Opened, long? RemainingStock, long AcceptedRequests);
