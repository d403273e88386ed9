using System.Diagnostics;
using System.Text;
using Confluent.Kafka;

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

    /// <summary>The producer's trace context from a consumed message, or default when it carried none.</summary>
    public static ActivityContext ExtractContext(Headers? headers)
    {
        if (headers is null || !headers.TryGetLastBytes(TraceParentHeader, out var parent))
        {
            return default;
        }

        var state = headers.TryGetLastBytes(TraceStateHeader, out var stateBytes) ? Encoding.ASCII.GetString(stateBytes) : null;
        return ActivityContext.TryParse(Encoding.ASCII.GetString(parent), state, isRemote: true, out var context) ? context : default;
    }
}
