using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Coupons.Infrastructure.Kafka;

namespace Coupons.Ops;

/// <summary>
/// The service's ActivitySource and W3C trace-context propagation through Kafka headers, so one trace runs
/// from the HTTP click through the gate and the publish to the consumer's database write.
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
        if (Activity.Current is { } activity && activity.IdFormat == ActivityIdFormat.W3C)
        {
            headers.Add(TraceParentHeader, Encoding.ASCII.GetBytes(activity.Id!));
            if (!string.IsNullOrEmpty(activity.TraceStateString))
            {
                headers.Add(TraceStateHeader, Encoding.ASCII.GetBytes(activity.TraceStateString));
            }
        }

        return headers;
    }

    /// <summary>
    /// The producer's trace context from a consumed message, or default when it carried none or one that is not a
    /// valid W3C context. Total (SPEC I7): a header without a value (<c>kcat -H traceparent</c>) or with garbage is no context.
    /// </summary>
    public static ActivityContext ExtractContext(Headers? headers)
    {
        if (KafkaHeaders.LastText(headers, TraceParentHeader) is not { } parent)
        {
            return default;
        }

        return ActivityContext.TryParse(parent, KafkaHeaders.LastText(headers, TraceStateHeader), isRemote: true, out var context) ? context : default;
    }
}
