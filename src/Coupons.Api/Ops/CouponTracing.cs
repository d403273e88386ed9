using System.Diagnostics;
using System.Text;
using Confluent.Kafka;

namespace Coupons.Ops;

/// <summary>
/// The service's ActivitySource and W3C trace-context propagation through Kafka, so one trace runs from the HTTP click
/// through the gate and the publish to the consumer's database write. The context goes out twice: in the record's
/// <c>traceparent</c>/<c>tracestate</c> headers (design.md §8, Traces; what Kafka tooling and other consumers read) and
/// inside the message (<c>IssueRequested.TraceParent</c>), which is what this service's consumer reads: it fetches no
/// headers, because the .NET client copies every header whole into managed memory and no broker limit bounds their size
/// once a compressed record is unpacked (a 300 MB header restarted the consumer for good under a 256 MB heap: hostile
/// review 2, issue 21).
/// </summary>
public static class CouponTracing
{
    public const string SourceName = "Coupons.Api";

    public const string TraceParentHeader = "traceparent";
    public const string TraceStateHeader = "tracestate";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Adds the current activity's context to outgoing Kafka headers.</summary>
    public static Headers InjectContext(Headers headers)
    {
        var (parent, state) = CurrentContext();
        if (parent is not null)
        {
            headers.Add(TraceParentHeader, Encoding.ASCII.GetBytes(parent));
            if (state is not null)
            {
                headers.Add(TraceStateHeader, Encoding.ASCII.GetBytes(state));
            }
        }

        return headers;
    }

    /// <summary>The current activity's W3C context (traceparent, tracestate), to carry in an outgoing message; nulls
    /// without one.</summary> <remarks>A tracestate comes from the caller's HTTP header: one longer than W3C's 512
    /// characters is not carried (the message has 4 KB).</remarks>
    public static (string? Parent, string? State) CurrentContext() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity
            ? (activity.Id, activity.TraceStateString is { Length: > 0 and <= MaxTraceState } state ? state : null)
            : (null, null);

    private const int MaxTraceState = 512;

    /// <summary>
    /// The producer's trace context carried by a consumed message, or default when it carried none or one that is not a
    /// valid W3C context. Total (design.md §2, I7): garbage is no context, never a reason to refuse the request.
    /// </summary>
    public static ActivityContext ContextOf(string? parent, string? state) =>
        parent is not null && ActivityContext.TryParse(parent, state, isRemote: true, out var context) ? context : default;
}
