using System.Globalization;
using System.Text.Json;

namespace Coupons.Cli.Postmortem;

/// <summary>One series of a range query: its labels and its (time, value) samples.</summary>
public sealed record RangeSeries(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<(DateTimeOffset At, double Value)> Samples);

/// <summary>Prometheus's HTTP API: <c>/api/v1/query_range</c> and <c>/api/v1/query</c>.</summary>
public sealed class PrometheusRange(Uri prometheus) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = prometheus, Timeout = TimeSpan.FromSeconds(15) };

    public Uri Address => prometheus;

    public void Dispose() => _http.Dispose();

    public async Task<IReadOnlyList<RangeSeries>> RangeAsync(string query, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken ct)
    {
        var url = $"/api/v1/query_range?query={Uri.EscapeDataString(query)}&start={Unix(from)}&end={Unix(to)}&step={step.TotalSeconds.ToString(CultureInfo.InvariantCulture)}";
        using var json = JsonDocument.Parse(await _http.GetStringAsync(url, ct));
        return [.. Result(json).Select(series => new RangeSeries(Labels(series), [.. series.GetProperty("values").EnumerateArray().Select(Point)]))];
    }

    /// <summary>
    /// Every sample Prometheus scraped for <paramref name="selector"/> (a plain series selector) from
    /// <paramref name="from"/> less <paramref name="lookback"/> to <paramref name="to"/>, as scraped: no steps, no
    /// interpolation.
    /// </summary>
    public async Task<IReadOnlyList<RangeSeries>> RawAsync(string selector, DateTimeOffset from, DateTimeOffset to, TimeSpan lookback, CancellationToken ct)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling((to - from + lookback).TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var url = $"/api/v1/query?query={Uri.EscapeDataString($"{selector}[{seconds}s]")}&time={Unix(to)}";
        using var json = JsonDocument.Parse(await _http.GetStringAsync(url, ct));
        return [.. Result(json).Select(series => new RangeSeries(Labels(series), [.. series.GetProperty("values").EnumerateArray().Select(Point)]))];
    }

    /// <summary>
    /// An instant query's single value at <paramref name="at"/> (0 when the result is empty: nothing happened).
    /// </summary>
    public async Task<double> ScalarAsync(string query, DateTimeOffset at, CancellationToken ct)
    {
        using var json = JsonDocument.Parse(await _http.GetStringAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}&time={Unix(at)}", ct));
        return Result(json).Select(series => Point(series.GetProperty("value")).Value).Where(v => !double.IsNaN(v)).Sum();
    }

    private static IEnumerable<JsonElement> Result(JsonDocument json) =>
        json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().ToList();

    private static Dictionary<string, string> Labels(JsonElement series) =>
        series.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");

    private static (DateTimeOffset At, double Value) Point(JsonElement pair) => (
        DateTimeOffset.FromUnixTimeMilliseconds((long)(pair[0].GetDouble() * 1000)),
        PrometheusText.Number(pair[1].GetString()!));

    private static string Unix(DateTimeOffset at) => (at.ToUnixTimeMilliseconds() / 1000.0).ToString("F3", CultureInfo.InvariantCulture);
}
