using System.Diagnostics;
using System.Globalization;

namespace Coupons.Cli;

/// <summary>
/// The process listening on a loopback TCP port, found the way <c>ss -ltnp</c> does (/proc/net/tcp, then the socket
/// inode among each process's file descriptors). An orchestrator starts the replicas through <c>dotnet run</c>, so the
/// pid it reports is the launcher's; a drill or a dump must reach the server itself.
/// </summary>
public static class ListeningProcess
{
    private const string Listen = "0A";

    public static int Find(int port) =>
        TryFind(port) ?? throw new InvalidOperationException($"no process listens on port {port}");

    public static int? TryFind(int port)
    {
        var inodes = new[] { "/proc/net/tcp", "/proc/net/tcp6" }
            .Where(File.Exists)
            .SelectMany(File.ReadLines)
            .Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > 9 && f[3] == Listen && int.Parse(f[1].Split(':')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port)
            .Select(f => $"socket:[{f[9]}]")
            .ToHashSet();
        if (inodes.Count == 0)
        {
            return null;
        }

        foreach (var process in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(Path.Combine(process, "fd"))
                    .Any(fd => new FileInfo(fd).LinkTarget is { } target && inodes.Contains(target)))
                {
                    return int.Parse(Path.GetFileName(process), CultureInfo.InvariantCulture);
                }
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                // a process that ended meanwhile, or one we may not look into
            }
        }

        return null;
    }

    /// <summary><c>kill -9</c> of whatever listens on <paramref name="port"/>; returns its pid.</summary>
    public static int Kill(int port)
    {
        var pid = Find(port);
        using var process = Process.GetProcessById(pid);
        process.Kill(); // SIGKILL on Linux: no shutdown hook, no flush
        process.WaitForExit(10_000);
        return pid;
    }
}
