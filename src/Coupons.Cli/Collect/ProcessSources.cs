using System.Text;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Runtime;

namespace Coupons.Cli.Collect;

/// <summary>
/// One app process seen from outside, through the .NET diagnostics port: a runtime snapshot (the process's memory and
/// threads from /proc, its command line and environment with no setting's value) and every managed thread's stack as
/// text.
/// </summary>
public static class ProcessSources
{
    public const string Redacted = "***";

    public static async Task<string> RuntimeSnapshotAsync(int pid)
    {
        var text = new StringBuilder($"pid {pid}{Environment.NewLine}");
        text.AppendLine($"command line: {CommandLine(await File.ReadAllTextAsync($"/proc/{pid}/cmdline"))}");
        foreach (var line in (await File.ReadAllLinesAsync($"/proc/{pid}/status")).Where(l => l.StartsWith("Vm", StringComparison.Ordinal) || l.StartsWith("Threads", StringComparison.Ordinal) || l.StartsWith("State", StringComparison.Ordinal)))
        {
            text.AppendLine(line);
        }

        text.AppendLine();
        text.Append(EnvironmentListing(new DiagnosticsClient(pid).GetProcessEnvironment()));
        return text.ToString();
    }

    /// <summary>
    /// The command line as archived, from /proc/{pid}/cmdline (arguments separated by NUL): the program, up to and with
    /// the app's dll, as it is; after it, the names of settings and never a value. .NET binds every argument into
    /// configuration (<c>--Admin:ApiKey=…</c>, <c>--Key value</c>, <c>/Key=…</c>, <c>Key=…</c>), so any value may be a
    /// secret.
    /// </summary>
    public static string CommandLine(string cmdline)
    {
        var args = cmdline.TrimEnd('\0').Split('\0'); // empty arguments kept: a switch's value may be one
        var dll = Array.FindIndex(args, a => a.EndsWith(".dll", StringComparison.OrdinalIgnoreCase));
        var program = dll >= 0 ? dll + 1 : Math.Min(1, args.Length); // an apphost is the program alone
        var archived = new List<string>(args[..program]);
        for (var i = program; i < args.Length; i++)
        {
            var arg = args[i];
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                archived.Add($"{arg[..(equals + 1)]}{Redacted}");
            }
            else if (arg.StartsWith('-') || arg.StartsWith('/'))
            {
                // A switch without '=': its value is the next argument.
                archived.Add(arg);
                if (i + 1 < args.Length)
                {
                    archived.Add(Redacted);
                    i++;
                }
            }
            else
            {
                archived.Add(Redacted);
            }
        }

        return string.Join(' ', archived);
    }

    /// <summary>
    /// The process's environment as archived: names only. Any variable may be a setting (.NET binds <c>DOTNET_</c>- and
    /// <c>ASPNETCORE_</c>-prefixed ones into configuration too), so no value is written, not even a runtime knob's.
    /// </summary>
    public static string EnvironmentListing(IReadOnlyDictionary<string, string> environment) =>
        $"environment variables (names only): {string.Join(' ', environment.Keys.Order(StringComparer.Ordinal))}{Environment.NewLine}";

    /// <summary>
    /// The runtime's data-access library, next to the libcoreclr.so the process has loaded (ClrMD does not download it
    /// on Linux).
    /// </summary>
    private static async Task<string> DacPathAsync(int pid)
    {
        var coreclr = (await File.ReadAllLinesAsync($"/proc/{pid}/maps"))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
            .First(path => path.EndsWith("/libcoreclr.so", StringComparison.Ordinal));
        return Path.Combine(Path.GetDirectoryName(coreclr)!, "libmscordaccore.so");
    }

    /// <summary>
    /// Every managed thread's stack as text, the way <c>dotnet-dump analyze</c> then <c>clrstack -all</c> shows it: a
    /// triage dump is written to a temporary file, read with ClrMD and deleted. The dump itself never goes into the
    /// bundle: even a triage dump holds memory pages with the process's environment, and with it the secrets in its
    /// settings. A collect killed before it could delete its dump (kill -9) leaves one behind: the next collect deletes
    /// it first.
    /// </summary>
    public static async Task<string> ThreadStacksAsync(int pid, CancellationToken ct)
    {
        DeleteLeftDumps(Path.GetTempPath());
        var dump = Path.Combine(Path.GetTempPath(), $"{DumpPrefix}{Environment.ProcessId}-{pid}-{Guid.NewGuid():N}.dmp");
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

    private const string DumpPrefix = "couponctl-";

    /// <summary>
    /// Deletes the triage dumps of collects that are no longer running (named <c>couponctl-&lt;collect pid&gt;-&lt;app
    /// pid&gt;-…</c>); the number deleted.
    /// </summary>
    public static int DeleteLeftDumps(string directory)
    {
        var deleted = 0;
        foreach (var file in Directory.EnumerateFiles(directory, $"{DumpPrefix}*.dmp"))
        {
            var parts = Path.GetFileNameWithoutExtension(file)[DumpPrefix.Length..].Split('-');
            if (parts.Length == 3 && int.TryParse(parts[0], out var owner) && owner != Environment.ProcessId && !Directory.Exists($"/proc/{owner}"))
            {
                File.Delete(file);
                deleted++;
            }
        }

        return deleted;
    }
}
