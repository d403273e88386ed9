using System.Text;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Runtime;

namespace Coupons.Cli.Collect;

/// <summary>
/// One app process seen from outside, through the .NET diagnostics port: a runtime snapshot (the process's memory and
/// threads from /proc, the runtime's settings) and every managed thread's stack as text.
/// </summary>
public static class ProcessSources
{
    public static async Task<string> RuntimeSnapshotAsync(int pid)
    {
        var text = new StringBuilder($"pid {pid}{Environment.NewLine}");
        text.AppendLine($"command line: {(await File.ReadAllTextAsync($"/proc/{pid}/cmdline")).Replace('\0', ' ').Trim()}");
        foreach (var line in (await File.ReadAllLinesAsync($"/proc/{pid}/status")).Where(l => l.StartsWith("Vm", StringComparison.Ordinal) || l.StartsWith("Threads", StringComparison.Ordinal) || l.StartsWith("State", StringComparison.Ordinal)))
        {
            text.AppendLine(line);
        }

        // The runtime's knobs only; other variables are named, never shown (they may hold secrets).
        var environment = new DiagnosticsClient(pid).GetProcessEnvironment();
        text.AppendLine();
        text.AppendLine("runtime settings (DOTNET_*, ASPNETCORE_ENVIRONMENT):");
        foreach (var (name, value) in environment.Where(e => e.Key.StartsWith("DOTNET_", StringComparison.Ordinal) && !e.Key.Contains("KEY", StringComparison.OrdinalIgnoreCase) || e.Key == "ASPNETCORE_ENVIRONMENT").OrderBy(e => e.Key))
        {
            text.AppendLine($"  {name}={value}");
        }

        text.AppendLine($"other environment variables (names only): {string.Join(' ', environment.Keys.Where(k => !k.StartsWith("DOTNET_", StringComparison.Ordinal) && k != "ASPNETCORE_ENVIRONMENT").Order())}");
        return text.ToString();
    }

    /// <summary>
    /// Every managed thread's stack as text, the way <c>dotnet-dump analyze</c> then <c>clrstack -all</c> shows it: a triage
    /// dump is written to a temporary file, read with ClrMD and deleted. The dump itself never goes into the bundle: even a
    /// triage dump holds memory pages with the process's environment, and with it the secrets in its settings.
    /// </summary>
    /// <summary>The runtime's data-access library, next to the libcoreclr.so the process has loaded (ClrMD does not download it on Linux).</summary>
    private static async Task<string> DacPathAsync(int pid)
    {
        var coreclr = (await File.ReadAllLinesAsync($"/proc/{pid}/maps"))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
            .First(path => path.EndsWith("/libcoreclr.so", StringComparison.Ordinal));
        return Path.Combine(Path.GetDirectoryName(coreclr)!, "libmscordaccore.so");
    }

    public static async Task<string> ThreadStacksAsync(int pid, CancellationToken ct)
    {
        var dump = Path.Combine(Path.GetTempPath(), $"couponctl-{pid}-{Guid.NewGuid():N}.dmp");
        try
        {
            await new DiagnosticsClient(pid).WriteDumpAsync(DumpType.Triage, dump, logDumpGeneration: false, ct);
            using var target = DataTarget.LoadDump(dump);
            using var runtime = target.ClrVersions.Single().CreateRuntime(await DacPathAsync(pid), ignoreMismatch: true); // the triage dump carries no version; the DAC is the one beside the process's own runtime
            var text = new StringBuilder($"pid {pid}, {runtime.ClrInfo.Flavor} {runtime.ClrInfo.Version}, {runtime.Threads.Length} managed threads{Environment.NewLine}");
            foreach (var thread in runtime.Threads.Where(t => t.IsAlive))
            {
                text.AppendLine();
                text.AppendLine($"thread {thread.ManagedThreadId} (os 0x{thread.OSThreadId:x}){(thread.IsFinalizer ? " finalizer" : "")}");
                foreach (var frame in thread.EnumerateStackTrace().Take(200))
                {
                    text.AppendLine($"  {(frame.Method is { } m ? m.Signature ?? m.Name : $"[{frame.FrameName ?? frame.Kind.ToString()}]")}");
                }
            }

            return text.ToString();
        }
        finally
        {
            File.Delete(dump);
        }
    }
}
