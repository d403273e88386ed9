using System.Collections.Concurrent;
using System.Globalization;
using HdrHistogram;

namespace Coupons.Bench;

/// <summary>
/// What one scenario produced: answers by status, latency percentiles (HdrHistogram, microseconds), throughput.
/// </summary>
public sealed class LoadResult(string name)
{
    private readonly LongConcurrentHistogram _latency = new(1, TimeStamp.Minutes(5), 3);
    private readonly ConcurrentDictionary<int, long> _statuses = new();
    private long _errors;

    public string Name { get; } = name;

    public TimeSpan Elapsed { get; set; }

    /// <summary>
    /// The app's highest resident memory during the scenario (MiB), when the bench was given its pid.
    /// </summary>
    public long? AppPeakRssMiB { get; set; }

    public long Total => _statuses.Values.Sum() + Interlocked.Read(ref _errors);

    public long Errors => Interlocked.Read(ref _errors);

    public long Count(int status) => _statuses.GetValueOrDefault(status);

    public long ServerErrors => _statuses.Where(s => s.Key >= 500).Sum(s => s.Value);

    public void Record(int status, long latencyTicks)
    {
        _statuses.AddOrUpdate(status, 1, static (_, n) => n + 1);
        _latency.RecordValue(Math.Max(1, latencyTicks * 1_000_000 / System.Diagnostics.Stopwatch.Frequency));
    }

    public void RecordError(long latencyTicks)
    {
        Interlocked.Increment(ref _errors);
        _latency.RecordValue(Math.Max(1, latencyTicks * 1_000_000 / System.Diagnostics.Stopwatch.Frequency));
    }

    public double PercentileMs(double p) => _latency.TotalCount == 0 ? 0 : _latency.GetValueAtPercentile(p) / 1000.0;

    public double MaxMs => _latency.TotalCount == 0 ? 0 : _latency.GetMaxValue() / 1000.0;

    public double PerSecond(long count) => count / Math.Max(Elapsed.TotalSeconds, 0.001);

    public static string Header =>
        "| scenario | requests | req/s | 2xx/s | 409/s | 429 | 5xx | errors/timeouts | p50 ms | p95 ms | p99 ms | max ms | app RSS peak MiB |\n" +
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

    public string Row()
    {
        var ok = _statuses.Where(s => s.Key is >= 200 and < 300).Sum(s => s.Value);
        return string.Create(CultureInfo.InvariantCulture,
            $"| {Name} | {Total} | {PerSecond(Total):F0} | {PerSecond(ok):F0} | {PerSecond(Count(409)):F0} | {Count(429)} | {ServerErrors} | {Errors} | {PercentileMs(50):F2} | {PercentileMs(95):F2} | {PercentileMs(99):F2} | {MaxMs:F1} | {AppPeakRssMiB?.ToString(CultureInfo.InvariantCulture) ?? "-"} |");
    }
}
