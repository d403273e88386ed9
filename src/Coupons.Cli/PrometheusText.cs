using System.Globalization;
using System.Text.RegularExpressions;

namespace Coupons.Cli;

/// <summary>One sample of the Prometheus text format: name, labels, value.</summary>
public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// Reads the Prometheus text exposition format (what /metrics serves): comments skipped, labels parsed.
/// </summary>
public static partial class PrometheusText
{
    public static IReadOnlyList<Sample> Parse(string text) =>
        [.. text.Split('\n').Select(line => SampleLine().Match(line.Trim())).Where(m => m.Success).Select(m => new Sample(
            m.Groups["name"].Value,
            LabelPair().Matches(m.Groups["labels"].Value).ToDictionary(l => l.Groups[1].Value, l => l.Groups[2].Value),
            Number(m.Groups["value"].Value)))];

    /// <summary>A Prometheus number: Go spells infinities +Inf and -Inf.</summary>
    public static double Number(string value) => value switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    // Label values are quoted and may hold braces (ASP.NET's http_route="/api/coupons/{couponId}/..."): the label
    // block ends at the first brace outside quotes.
    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>(?:[^}"]|"(?:[^"\\]|\\.)*")*)\})?\s+(?<value>[-+0-9.eE]+|NaN|[+-]Inf)(\s+\d+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex(""""([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"""")]
    private static partial Regex LabelPair();
}
