using System.Text;
using Confluent.Kafka;

namespace Coupons.Infrastructure.Kafka;

/// <summary>
/// Deserializers for records anyone can write: only the head of a key or value reaches managed memory. The broker keeps
/// records compressed, so one of a few KB on the wire can unpack to hundreds of MB; copied whole into a byte[] it threw
/// OutOfMemoryException out of Consume under a 256 MB heap, and every new consumer read the same record again (hostile
/// review, issue 21). Nothing this service produces comes near the limits; a record cut here is refused as too large.
/// </summary>
public static class HeadDeserializers
{
    /// <summary>The first <paramref name="maxBytes"/> bytes of a value (null stays null).</summary>
    public static IDeserializer<byte[]> Value(int maxBytes) => new ValueHead(maxBytes);

    /// <summary>
    /// A key read from its first <paramref name="maxBytes"/> bytes (a character cut in two becomes U+FFFD).
    /// </summary>
    public static IDeserializer<string> Key(int maxBytes) => new KeyHead(maxBytes);

    private sealed class ValueHead(int maxBytes) : IDeserializer<byte[]>
    {
        public byte[] Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) =>
            isNull ? null! : data[..Math.Min(data.Length, maxBytes)].ToArray();
    }

    private sealed class KeyHead(int maxBytes) : IDeserializer<string>
    {
        public string Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) =>
            isNull ? null! : Encoding.UTF8.GetString(data[..Math.Min(data.Length, maxBytes)]);
    }
}
