namespace Coupons.Infrastructure.Http;

/// <summary>
/// Too much work of one kind is in progress (a bulkhead is full): answered 429 with Retry-After, never 500.
/// </summary>
public sealed class BulkheadFullException(string what) : Exception($"Too many {what} in progress; retry shortly.");
