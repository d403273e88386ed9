using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Coupons.Cli.Drills;

/// <summary>
/// Freezing and thawing a process (SIGSTOP / SIGCONT): its sockets stay open and nothing answers, which is what a
/// network partition looks like from the other side (connections hang until their timeouts), without netem.
/// </summary>
public static partial class ProcessSignals
{
    private const int SigCont = 18;
    private const int SigStop = 19;

    public static void Freeze(int pid) => Send(pid, SigStop);

    public static void Thaw(int pid) => Send(pid, SigCont);

    public static void KillHard(int pid)
    {
        using var process = Process.GetProcessById(pid);
        process.Kill();
        process.WaitForExit(10_000);
    }

    private static void Send(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
