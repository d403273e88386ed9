namespace Coupons.Cli.Drills;

/// <summary>
/// <c>docker update --memory 256m</c> for a plain process: a memory cgroup of its own with the cap, the process moved
/// in; healing moves it back to the root group. cgroup v1 (memory controller) and v2 (unified) both work; needs root.
/// </summary>
public sealed class MemoryCap(int pid, long bytes)
{
    private const string V1 = "/sys/fs/cgroup/memory";
    private const string V2 = "/sys/fs/cgroup";

    private static bool IsV1 => Directory.Exists(V1);

    private string Group => Path.Combine(IsV1 ? V1 : V2, $"couponctl-drill-{pid}");

    public async Task ApplyAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(Group);
        await File.WriteAllTextAsync(Path.Combine(Group, IsV1 ? "memory.limit_in_bytes" : "memory.max"), bytes.ToString(), ct);
        await File.WriteAllTextAsync(Path.Combine(Group, "cgroup.procs"), pid.ToString(), ct);
    }

    public async Task RemoveAsync(CancellationToken ct)
    {
        if (!Directory.Exists(Group))
        {
            return;
        }

        if (File.Exists($"/proc/{pid}/status"))
        {
            await File.WriteAllTextAsync(Path.Combine(IsV1 ? V1 : V2, "cgroup.procs"), pid.ToString(), ct);
        }

        Directory.Delete(Group); // a cgroup directory is removed with rmdir, its control files with it
    }
}
