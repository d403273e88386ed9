namespace Coupons.Contracts;

public sealed record IssueAccepted(Guid RequestId, long CouponId, string PublicId, string Status, string StatusUrl);

public sealed record IssueRequestView(Guid RequestId, long CouponId, string Status, string? Reason);
