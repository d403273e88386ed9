using System.Diagnostics;

namespace Coupons.Ops;

/// <summary>
/// The service's ActivitySource and W3C trace-context propagation through Kafka, so one trace runs from the HTTP click
/// through the gate and the publish to the consumer's database write. The context travels inside the message
/// (<c>IssueRequested.TraceParent</c>), not in headers: the consumer reads no headers, whose size no broker limit bounds
/// once a compressed record is unpacked (hostile review 2, issue 21).
/// </summary>
public static class CouponTracing
{
    public const string SourceName = "Coupons.Api";

    /// <summary>Names of the W3C headers an HTTP caller may send (the click's own parent).</summary>
    public const string TraceParentHeader = "traceparent";
    public const string TraceStateHeader = "tracestate";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The current activity's W3C context (traceparent, tracestate), to carry in an outgoing message; nulls without one.</summary>
    public static (string? Parent, string? State) CurrentContext() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity
            ? (activity.Id, string.IsNullOrEmpty(activity.TraceStateString) ? null : activity.TraceStateString)
            : (null, null);

    /// <summary>
    /// The producer's trace context carried by a consumed message, or default when it carried none or one that is not a
    /// valid W3C context. Total (SPEC I7): garbage is no context, never a reason to refuse the request.
    /// </summary>
    public static ActivityContext ContextOf(string? parent, string? state) =>
        parent is not null && ActivityContext.TryParse(parent, state, isRemote: true, out var context) ? context : default;
}
