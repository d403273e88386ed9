using System.Text;
using Confluent.Kafka;
using Coupons.Requests;
using CsCheck;

namespace Coupons.Testing;

/// <summary>A generated record for the request topic, and the valid request its value holds, if any.</summary>
public sealed record HostileRecord(string? Key, byte[]? Value, IReadOnlyList<(string Name, byte[]? Value)> Headers, IssueRequested? Valid)
{
    public Message<string, byte[]> ToMessage()
    {
        var headers = new Headers();
        foreach (var (name, value) in Headers)
        {
            headers.Add(new Header(name, value));
        }

        return new Message<string, byte[]> { Key = Key!, Value = Value!, Headers = headers };
    }

    public override string ToString() =>
        $"key={(Key is null ? "null" : $"'{Trim(Key)}'")} value={(Value is null ? "null" : $"{Value.Length} bytes '{Trim(Encoding.UTF8.GetString(Value))}'")} "
        + $"headers=[{string.Join(", ", Headers.Select(h => $"{Trim(h.Name)}={(h.Value is null ? "null" : $"{h.Value.Length} bytes")}"))}] valid={Valid is not null}";

    private static string Trim(string text) => text.Length > 80 ? text[..80] + "…" : text;
}

/// <summary>
/// Records an attacker (or a broken producer) could put on <c>coupon.issue.requested</c>: random bytes, truncated and
/// over-long JSON, every field of the wrong type or out of range, null, empty, garbage, repeated and oversized headers,
/// null and oversized keys; and among them valid requests (for <paramref name="valid"/>), whatever their headers.
/// </summary>
public static class HostileRecords
{
    private static readonly string[] HeaderNames = ["traceparent", "tracestate", "replayed-from", "dlq-reason", "", "x-\u00e9\u0000", "baggage"];

    public static Gen<HostileRecord> Any(Gen<IssueRequested> valid) =>
        Gen.Frequency(
            (3, valid.Select(Key, Headers, (request, key, headers) => new HostileRecord(key, request.ToBytes(), headers, request))),
            (6, Gen.Select(Value(valid), Key, Headers, (value, key, headers) => new HostileRecord(key, value, headers, null))));

    /// <summary>
    /// Requests with made-up ids (their users do not exist): decodable, then refused by the database's check.
    /// </summary>
    public static Gen<IssueRequested> MadeUp { get; } =
        Gen.Select(Gen.Long[1, long.MaxValue], Gen.Long[1, long.MaxValue], Gen.String[Gen.Char["abcXYZ019-_"], 1, 36],
            (coupon, user, person) => new IssueRequested(Guid.CreateVersion7(), coupon, user, person, DateTimeOffset.UtcNow));

    private static Gen<string?> Key { get; } = Gen.Frequency(
        (2, Gen.Const<string?>((string?)null)),
        (2, Gen.String.Select(s => (string?)s)),
        (1, Gen.Char.Array[0, 20_000].Select(c => (string?)new string(c))));

    private static Gen<byte[]?> HeaderValue { get; } = Gen.Frequency(
        (3, Gen.Const<byte[]?>((byte[]?)null)),
        (1, Gen.Const<byte[]?>(Array.Empty<byte>())),
        (2, Gen.Byte.Array[0, 64].Select(b => (byte[]?)b)),
        (2, Gen.OneOf<string>("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "00-00000000000000000000000000000000-0000000000000000-00",
            "ff-zz", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra", "k=v,k2=v2,=,,,").Select(t => (byte[]?)Encoding.UTF8.GetBytes(t))),
        (1, Gen.Byte.Array[60_000, 100_000].Select(b => (byte[]?)b)));

    private static Gen<IReadOnlyList<(string, byte[]?)>> Headers { get; } =
        Gen.Select(Gen.Frequency((3, Gen.OneOf<string>(HeaderNames)), (1, Gen.String)), HeaderValue, (name, value) => (name, value))
            .List[0, 6].Select(l => (IReadOnlyList<(string, byte[]?)>)l);

    private static Gen<byte[]?> Value(Gen<IssueRequested> valid) => Gen.Frequency(
        (1, Gen.Const<byte[]?>((byte[]?)null)),
        (1, Gen.Const<byte[]?>(Array.Empty<byte>())),
        (3, Gen.Byte.Array[1, 600].Select(b => (byte[]?)b)),
        (1, Gen.Byte.Array[IssueRequested.MaxBytes - 10, IssueRequested.MaxBytes * 3].Select(b => (byte[]?)b)),
        (3, valid.Select(Gen.Int[0, 400], (r, cut) => { var bytes = r.ToBytes(); return (byte[]?)bytes[..Math.Min(cut, bytes.Length - 1)]; })),
        (6, valid.Select(MutatedField, (r, mutate) => (byte[]?)Encoding.UTF8.GetBytes(mutate(r)))),
        (1, Gen.Int[1, 5000].Select(depth => (byte[]?)Encoding.UTF8.GetBytes(new string('[', depth) + new string(']', depth)))),
        (1, Gen.String.Select(s => (byte[]?)Encoding.UTF8.GetBytes(s))));

    /// <summary>
    /// A valid request's JSON with one field replaced by a hostile value (wrong type, out of range, odd text,
    /// repeated).
    /// </summary>
    private static Gen<Func<IssueRequested, string>> MutatedField { get; } =
        Gen.Select(Gen.OneOf<string>("requestId", "couponId", "userId", "publicId", "requestedAt"),
            Gen.OneOf<string>("null", "0", "-1", "1e400", "9223372036854775808", "\"\"", "\"x\"", "[]", "{}", "true", "1.5",
                "\"00000000-0000-0000-0000-000000000000\"", "\"0001-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59Z\"",
                "\"\\u0000\"", "\"\\ud800\"", "\"a b\"", "\"" + new string('x', 37) + "\"", "\"\u00c5\u212b\"", "\"TEST-USER\""),
            Gen.Bool,
            (field, value, repeat) => (Func<IssueRequested, string>)(request =>
            {
                var json = Encoding.UTF8.GetString(request.ToBytes());
                var replaced = System.Text.RegularExpressions.Regex.Replace(json, $"\"{field}\":(\"[^\"]*\"|[^,}}]*)", $"\"{field}\":{value}");
                return repeat ? replaced.TrimEnd('}') + $",\"{field}\":{value}}}" : replaced;
            }));
}
