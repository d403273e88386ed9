using System.Globalization;
using System.Text;

namespace Coupons.Bench;

/// <summary>One minute of the soak: what the clicks saw and what the app's memory and GC did in it.</summary>
/// <param name="RssMiB">Null without --app-pid (not measured, never 0).</param>
/// <param name="GcPauseP99Ms">The bucket bound (ms); +Infinity above the last bucket (1 s); null when no pause was
/// recorded in the minute.</param>
/// <param name="CpuPerClick">Each watched process's CPU in the minute, µs per answer (null where /proc was unread): a
/// drift there says whose cost grows (the app's, or the database's as its tables grow).</param>
public sealed record SoakMinute(int Minute, double PerSecond, double P99Ms, long ServerErrors, long Errors, long? RssMiB, double? GcPauseP99Ms, double? GcPauseMaxMs,
    IReadOnlyList<(string Name, double? MicrosecondsPerClick)> CpuPerClick);

/// <summary>
/// The soak (issue 24, item 7): a fixed open-model rate for many minutes, a fresh coupon each minute with stock for half
/// that minute's clicks (so the accepted path and the sold-out path both run all along), and per minute the clicks'
/// p99 from their scheduled time, the app's RSS and its GC pause p99 (the app's own histogram, Ops/GcPauses); then the
/// slope of each over the run, by least squares. Flat is the goal: a slope that is not is a leak or a drift.
/// </summary>
public static class SoakScenario
{
    public static async Task<IReadOnlyList<SoakMinute>> RunAsync(
        HttpClient open, AppProbe probe, IReadOnlyList<WatchedProcess> watched, Func<int, Task<long>> createCoupon, Func<string> user, int rate,
        int minutes, int maxInFlight)
    {
        using var rss = probe.SampleRss();
        var rows = new List<SoakMinute>();
        for (var minute = 1; minute <= minutes; minute++)
        {
            var coupon = await createCoupon(rate * 30);
            var gcBefore = await probe.GcPauseBucketsAsync();
            var cpu = await CpuBudget.StartAsync(watched, probe);
            var round = await LoadProfiles.ConstantRateAsync($"soak minute {minute}", open,
                _ => new(HttpMethod.Post, $"/api/coupons/{coupon}/issue-fcfs/{user()}"), rate, TimeSpan.FromMinutes(1), maxInFlight);
            var spend = await cpu.StopAsync($"soak minute {minute}", round.Total);
            var gcAfter = await probe.GcPauseBucketsAsync();
            var row = new SoakMinute(minute, round.PerSecond(round.Total), round.PercentileMs(99), round.ServerErrors, round.Errors,
                rss.Samples.Count == 0 ? null : rss.Samples[^1].MiB, AppProbe.QuantileUpperBound(gcBefore, gcAfter, 0.99) * 1000,
                AppProbe.QuantileUpperBound(gcBefore, gcAfter, 1.0) * 1000,
                [.. spend.Processes.Select(p => (p.Name, p.Cpu is { } t && round.Total > 0 ? t.TotalMilliseconds * 1000 / round.Total : (double?)null))]);
            rows.Add(row);
            Console.WriteLine("# soak " + Row(row));
        }

        return rows;
    }

    public static string Table(IReadOnlyList<SoakMinute> rows)
    {
        var table = new StringBuilder();
        var names = rows.Count == 0 ? [] : rows[0].CpuPerClick.Select(c => c.Name).ToList();
        table.AppendLine("| minute | clicks/s | p99 ms (from schedule) | 5xx | errors | app RSS MiB | GC pause p99 ms (bucket bound) | GC pause max ms (bucket bound) |" +
            string.Concat(names.Select(n => $" {n} µs per click |")));
        table.AppendLine("|---|---|---|---|---|---|---|---|" + string.Concat(names.Select(_ => "---|")));
        foreach (var row in rows)
        {
            table.AppendLine(Row(row));
        }

        var overSecond = rows.Count(r => r.GcPauseP99Ms is double.PositiveInfinity);
        var cpuSlopes = string.Concat(names.Select((n, i) => $", {n} CPU {Slope(rows, r => r.CpuPerClick[i].MicrosecondsPerClick, "µs per click")}"));
        table.Append(string.Create(CultureInfo.InvariantCulture,
            $"slopes per minute (least squares): RSS {Slope(rows, r => r.RssMiB, "MiB")}, p99 {Slope(rows, r => r.P99Ms, "ms")}, " +
            $"GC pause p99 {Slope(rows, r => r.GcPauseP99Ms, "ms")}{cpuSlopes}" +
            $"{(overSecond > 0 ? $"; {overSecond} minutes had a GC pause p99 over 1 s (left out of its slope)" : "")}"));
        return table.ToString();
    }

    private static string Row(SoakMinute r) => string.Create(CultureInfo.InvariantCulture,
        $"| {r.Minute} | {r.PerSecond:F0} | {r.P99Ms:F1} | {r.ServerErrors} | {r.Errors} | {r.RssMiB?.ToString(CultureInfo.InvariantCulture) ?? "not measured"} | {Ms(r.GcPauseP99Ms)} | {Ms(r.GcPauseMaxMs)} |") +
        string.Concat(r.CpuPerClick.Select(c => c.MicrosecondsPerClick is { } us ? string.Create(CultureInfo.InvariantCulture, $" {us:F1} |") : " - |"));

    /// <summary>The slope with the minutes it is over, or why there is none.</summary>
    private static string Slope(IReadOnlyList<SoakMinute> rows, Func<SoakMinute, double?> value, string unit)
    {
        var (slope, minutes) = Slope(rows, value);
        return minutes < 2
            ? $"n/a ({minutes} minutes with a value)"
            : string.Create(CultureInfo.InvariantCulture, $"{slope:+0.000;-0.000} {unit} over {minutes} minutes");
    }

    private static string Ms(double? ms) => ms is { } v ? (double.IsPositiveInfinity(v) ? "> 1000" : v.ToString("0.#", CultureInfo.InvariantCulture)) : "no GC";

    /// <summary>
    /// The least-squares slope of <paramref name="value"/> per minute and the minutes it is over: minutes without a
    /// value, or with one above the histogram's last bucket, are left out (the table says how many).
    /// </summary>
    public static (double Slope, int Minutes) Slope(IReadOnlyList<SoakMinute> rows, Func<SoakMinute, double?> value)
    {
        var points = rows.Where(r => value(r) is { } v && double.IsFinite(v)).Select(r => (X: (double)r.Minute, Y: value(r)!.Value)).ToList();
        if (points.Count < 2)
        {
            return (double.NaN, points.Count);
        }

        var meanX = points.Average(p => p.X);
        var meanY = points.Average(p => p.Y);
        return (points.Sum(p => (p.X - meanX) * (p.Y - meanY)) / points.Sum(p => (p.X - meanX) * (p.X - meanX)), points.Count);
    }
}
