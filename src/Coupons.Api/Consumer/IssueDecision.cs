namespace Coupons.Consumer;

public sealed record IssueDecision(Guid RequestId, string Status, string? Reason);
