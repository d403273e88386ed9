using System.Diagnostics;
using System.Globalization;

namespace Coupons.Bench;

/// <summary>
/// What the app itself reports during a scenario: its resident memory (sampled from /proc when the bench runs on
/// the same machine and is given the pid) and the end-to-end histogram it publishes on /metrics.
/// </summary>
public sealed class AppProbe(HttpClient http, int? pid)
{
    private const string EndToEndMetric = "coupons_issue_end_to_end_duration_seconds_bucket";

    /// <summary>
    /// Samples the app's RSS every 250 ms until disposed; <see cref="RssSampler.PeakMiB"/> is the highest seen.
    /// </summary>
    public RssSampler SampleRss() => new(pid);

    /// <summary>
    /// Cumulative bucket counts (upper bound in seconds → count) of the end-to-end histogram, all label sets summed.
    /// </summary>
    public Task<SortedDictionary<double, long>> EndToEndBucketsAsync() => BucketsAsync(EndToEndMetric);

    /// <summary>Cumulative bucket counts of the app's GC pause histogram (Ops/GcPauses).</summary>
    public Task<SortedDictionary<double, long>> GcPauseBucketsAsync() => BucketsAsync("coupons_gc_pause_seconds_bucket");

    private async Task<SortedDictionary<double, long>> BucketsAsync(string metric)
    {
        var buckets = new SortedDictionary<double, long>();
        foreach (var (line, count) in await SamplesAsync(metric))
        {
            var le = line[(line.IndexOf("le=\"", StringComparison.Ordinal) + 4)..];
            le = le[..le.IndexOf('"', StringComparison.Ordinal)];
            var bound = le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture);
            buckets[bound] = buckets.GetValueOrDefault(bound) + count;
        }

        return buckets;
    }

    /// <summary>
    /// Requests the consumer has decided so far (coupons_consumer_decisions_total, every label set summed): updated per
    /// batch.
    /// </summary>
    public async Task<long> DecisionsAsync() => (await SamplesAsync("coupons_consumer_decisions_total{")).Sum(s => s.Value);

    /// <summary>
    /// The app's own counters a CPU budget is read beside: bytes allocated on its managed heap so far (the runtime's
    /// dotnet.gc.heap.total_allocated), the time its garbage collections paused it (dotnet.gc.pause.time), and the sums
    /// and counts of its consumer's and gate's batch sizes (fewer rows per statement cost more per click).
    /// </summary>
    public async Task<AppCounters> CountersAsync()
    {
        var text = await http.GetStringAsync("/metrics");
        double Sum(string prefix) => text.Split('\n').Where(line => line.StartsWith(prefix, StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture));
        return new AppCounters(
            Sum("dotnet_gc_heap_total_allocated_bytes_total"), Sum("dotnet_gc_pause_time_seconds_total"),
            Sum("coupons_consumer_batch_size_sum"), Sum("coupons_consumer_batch_size_count"),
            Sum("coupons_gate_batch_size_sum"), Sum("coupons_gate_batch_size_count"));
    }

    /// <summary>Every sample line of /metrics starting with <paramref name="prefix"/>, with its value.</summary>
    private async Task<List<(string Line, long Value)>> SamplesAsync(string prefix) =>
        [.. (await http.GetStringAsync("/metrics")).Split('\n')
            .Where(line => line.StartsWith(prefix, StringComparison.Ordinal))
            .Select(line => (line, long.Parse(line[(line.LastIndexOf(' ') + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture)))];

    /// <summary>
    /// Waits until the consumer has decided <paramref name="expected"/> more requests than <paramref name="before"/>
    /// (or the timeout passes) and returns how many it decided. Timed on this counter, read every 20 ms, rather than
    /// the consistency report, whose audit of the whole gate would compete with the writes it waits for.
    /// </summary>
    public async Task<long> WaitForDecisionsAsync(long before, long expected, TimeSpan timeout) =>
        (await WatchDrainAsync(before, expected, timeout)).Decided;

    /// <summary>
    /// Like <see cref="WaitForDecisionsAsync"/>, and also when the first decisions appeared (stopwatch timestamp) and
    /// how many were in, so a drain's writing rate can be told apart from the time the consumer took to start.
    /// </summary>
    public async Task<DrainWatch> WatchDrainAsync(long before, long expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        (long At, long Decided)? first = null;
        var decided = await DecisionsAsync() - before;
        while (decided < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            decided = await DecisionsAsync() - before;
            first ??= decided > 0 ? (Stopwatch.GetTimestamp(), decided) : null;
        }

        var done = Stopwatch.GetTimestamp();
        return new DrainWatch(decided, first?.At ?? done, first?.Decided ?? decided, done);
    }

    /// <summary>
    /// The smallest bucket bound under which <paramref name="quantile"/> of the requests decided between the two
    /// scrapes fall.
    /// </summary>
    public static string QuantileBound(SortedDictionary<double, long> before, SortedDictionary<double, long> after, double quantile) =>
        QuantileUpperBound(before, after, quantile) switch
        {
            null => "n/a",
            double.PositiveInfinity => "> last bucket",
            var bound => string.Create(CultureInfo.InvariantCulture, $"<= {bound * 1000:F0} ms"),
        };

    /// <summary>As <see cref="QuantileBound"/>, in seconds; null when nothing was recorded between the scrapes.</summary>
    public static double? QuantileUpperBound(SortedDictionary<double, long> before, SortedDictionary<double, long> after, double quantile)
    {
        var total = after.Values.DefaultIfEmpty(0).Max() - before.Values.DefaultIfEmpty(0).Max();
        if (total <= 0)
        {
            return null;
        }

        foreach (var (bound, count) in after)
        {
            if (count - before.GetValueOrDefault(bound) >= quantile * total)
            {
                return bound;
            }
        }

        return null;
    }
}

public sealed class RssSampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peakKiB;
    private readonly List<(TimeSpan At, long MiB)> _samples = [];
    private readonly DateTime _started = DateTime.UtcNow;

    public RssSampler(int? pid) => _loop = pid is null ? Task.CompletedTask : LoopAsync(pid.Value);

    public long PeakMiB => Interlocked.Read(ref _peakKiB) / 1024;

    /// <summary>Every sample, for soak reports.</summary>
    public IReadOnlyList<(TimeSpan At, long MiB)> Samples
    {
        get
        {
            lock (_samples)
            {
                return [.. _samples];
            }
        }
    }

    private async Task LoopAsync(int pid)
    {
        while (!_stop.IsCancellationRequested)
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            if (line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out var kib))
            {
                if (kib > Interlocked.Read(ref _peakKiB))
                {
                    Interlocked.Exchange(ref _peakKiB, kib);
                }

                lock (_samples)
                {
                    _samples.Add((DateTime.UtcNow - _started, kib / 1024));
                }
            }

            try
            {
                await Task.Delay(250, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _loop.GetAwaiter().GetResult();
        _stop.Dispose();
    }
}

/// <summary>
/// A drain as the probe saw it: rows decided, the first poll that saw any (and how many), the poll that saw them all.
/// </summary>
public sealed record DrainWatch(long Decided, long FirstSeenAt, long DecidedWhenFirstSeen, long DoneAt)
{
    /// <summary>
    /// Rows per second between the first poll that saw progress and the last; the start-up is not in it.
    /// </summary>
    public double WritingRate => (Decided - DecidedWhenFirstSeen) / Math.Max(1e-3, Stopwatch.GetElapsedTime(FirstSeenAt, DoneAt).TotalSeconds);
}

/// <summary>Cumulative counters of the app (see <see cref="AppProbe.CountersAsync"/>); a difference is a window's.</summary>
public sealed record AppCounters(
    double AllocatedBytes, double GcPauseSeconds, double ConsumerBatchRows, double ConsumerBatches, double GateBatchClicks, double GateBatches)
{
    public static AppCounters operator -(AppCounters a, AppCounters b) => new(
        a.AllocatedBytes - b.AllocatedBytes, a.GcPauseSeconds - b.GcPauseSeconds, a.ConsumerBatchRows - b.ConsumerBatchRows,
        a.ConsumerBatches - b.ConsumerBatches, a.GateBatchClicks - b.GateBatchClicks, a.GateBatches - b.GateBatches);
}
