namespace Coupons.Issuance;

public sealed record IssueDecision(Guid RequestId, string Status, string? Reason);
