using System.Diagnostics;
using System.Globalization;

namespace Coupons.Bench;

/// <summary>
/// A process (or several: nginx's workers) whose CPU time a scenario is charged with, named for the table.
/// </summary>
public sealed record WatchedProcess(string Name, int[] Pids)
{
    /// <summary>
    /// "app=123,mariadb=456,nginx=7+8+9" (bench/run.sh and bench/topology.sh build it from their pid files); the load
    /// generator itself (with a wrk it ran) is always added as "generator".
    /// </summary>
    public static List<WatchedProcess> Parse(string? spec)
    {
        var watched = (spec ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(entry => entry.Split('=', 2))
            // "redis=123+" (a port not listening yet when the script looked): the pid that was found, not a crash.
            .Select(pair => new WatchedProcess(pair[0], [.. pair.ElementAtOrDefault(1)?.Split('+', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => int.Parse(p, CultureInfo.InvariantCulture)) ?? []]))
            .ToList();
        watched.Add(new WatchedProcess("generator", [Environment.ProcessId]));
        return watched;
    }

    /// <summary>
    /// User + system CPU of every pid so far, with that of children it waited for (the generator's wrk), from
    /// /proc/PID/stat in USER_HZ ticks of 10 ms; null when a pid cannot be read (it exited: its time is unknown, and
    /// the row says "-" rather than a difference with nothing).
    /// </summary>
    public TimeSpan? CpuTime()
    {
        long ticks = 0;
        foreach (var pid in Pids)
        {
            string stat;
            try
            {
                stat = File.ReadAllText($"/proc/{pid}/stat");
            }
            catch (IOException)
            {
                return null;
            }

            // After the command name in parentheses: field 3 (state) onwards; utime, stime, cutime, cstime are 14-17.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            ticks += Enumerable.Range(11, 4).Sum(i => long.Parse(fields[i], CultureInfo.InvariantCulture));
        }

        return TimeSpan.FromMilliseconds(ticks * 10);
    }
}

/// <summary>
/// What a scenario cost in CPU, per process and for the whole machine (/proc/stat: the kernel's network work lands
/// there too), to be divided by the clicks it accepted: issue 24's CPU budget per click.
/// </summary>
public sealed class CpuBudget
{
    private readonly IReadOnlyList<WatchedProcess> _processes;
    private readonly AppProbe _app;
    private readonly TimeSpan?[] _before;
    private readonly TimeSpan _machineBefore;
    private readonly AppCounters _appBefore;
    private readonly long _started = Stopwatch.GetTimestamp();

    private CpuBudget(IReadOnlyList<WatchedProcess> processes, AppProbe app, AppCounters appBefore)
    {
        _processes = processes;
        _app = app;
        _appBefore = appBefore;
        _before = [.. processes.Select(p => p.CpuTime())];
        _machineBefore = MachineBusy();
    }

    public static async Task<CpuBudget> StartAsync(IReadOnlyList<WatchedProcess> processes, AppProbe app) =>
        new(processes, app, await app.CountersAsync());

    /// <summary>
    /// The CPU spent since <see cref="StartAsync"/>, per process, and the machine's; the app's allocations and GC
    /// pauses.
    /// </summary>
    public async Task<CpuSpend> StopAsync(string scenario, long accepted)
    {
        var processes = _processes.Select((p, i) => (p.Name, p.CpuTime() - _before[i])).ToList(); // null if unread either time
        var machine = MachineBusy() - _machineBefore;
        var wall = Stopwatch.GetElapsedTime(_started);
        return new(scenario, accepted, wall, processes, machine, await _app.CountersAsync() - _appBefore);
    }

    /// <summary>
    /// Busy time of every CPU (first line of /proc/stat: user, nice, system, irq, softirq; not steal, the time the
    /// hypervisor gave other guests), in USER_HZ ticks of 10 ms.
    /// </summary>
    private static TimeSpan MachineBusy()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture);
        var busy = Field(1) + Field(2) + Field(3) + Field(6) + Field(7);
        return TimeSpan.FromMilliseconds(busy * 10);
    }
}

/// <summary>
/// One scenario's CPU: per watched process and for the machine, over its wall time; the app's heap allocations, GC
/// pauses and batch sizes.
/// </summary>
public sealed record CpuSpend(
    string Scenario, long Accepted, TimeSpan Wall, IReadOnlyList<(string Name, TimeSpan? Cpu)> Processes, TimeSpan Machine, AppCounters App)
{
    public static string Header(IEnumerable<string> names) =>
        $"| scenario | clicks | wall s | {string.Join(" | ", names)} | machine busy | cores busy | app KiB allocated per click | app GC pause ms per 1,000 | consumer rows per batch | gate clicks per call |\n" +
        $"|---|---:|---:|{string.Concat(names.Select(_ => "---:|"))}---:|---:|---:|---:|---:|---:|";

    /// <summary>
    /// CPU milliseconds per 1,000 clicks (= microseconds per click) for each process and the machine, how many of
    /// the machine's cores were busy on average, and the app's heap per click.
    /// </summary>
    public string Row()
    {
        string PerThousand(TimeSpan? cpu) => Accepted == 0 || cpu is not { } time ? "-" : (time.TotalMilliseconds * 1000 / Accepted).ToString("F1", CultureInfo.InvariantCulture);
        var allocated = Accepted == 0 ? "-" : (App.AllocatedBytes / 1024.0 / Accepted).ToString("F2", CultureInfo.InvariantCulture);
        static string Mean(double sum, double count) => count <= 0 ? "-" : (sum / count).ToString("F1", CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture,
            $"| {Scenario} | {Accepted} | {Wall.TotalSeconds:F1} | {string.Join(" | ", Processes.Select(p => PerThousand(p.Cpu)))} | {PerThousand(Machine)} | {Machine / Wall:F2} | {allocated} | {PerThousand(TimeSpan.FromSeconds(App.GcPauseSeconds))} | {Mean(App.ConsumerBatchRows, App.ConsumerBatches)} | {Mean(App.GateBatchClicks, App.GateBatches)} |");
    }
}
