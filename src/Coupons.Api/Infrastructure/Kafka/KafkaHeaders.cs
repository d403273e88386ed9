using System.Text;
using Confluent.Kafka;

namespace Coupons.Infrastructure.Kafka;

/// <summary>
/// Reading headers of records anyone can write: a header may be missing, repeated, or have no value at all.
/// </summary>
public static class KafkaHeaders
{
    /// <summary>
    /// The last header of that name as text; null when there is none or it has no value (<c>kcat -H name</c>).
    /// </summary>
    public static string? LastText(Headers? headers, string name) =>
        headers is not null && headers.TryGetLastBytes(name, out var bytes) && bytes is not null ? Encoding.UTF8.GetString(bytes) : null;
}
