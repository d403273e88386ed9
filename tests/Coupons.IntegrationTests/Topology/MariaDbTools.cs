using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Coupons.IntegrationTests.Topology;

/// <summary>A binlog coordinate: the file and the byte position in it.</summary>
public sealed record BinlogPosition(string File, long Position);

/// <summary>
/// The guide's data-recovery tools (docs/runbooks/DatabasePointInTimeRestore.md), run as an operator would on the
/// database host (root over the server's socket): mariadb-dump for a consistent full backup that records its binlog
/// position, mariadb-binlog to replay up to a moment.
/// </summary>
public sealed partial class MariaDbTools(TopologyFixture topology)
{
    private string Directory => Path.Combine(topology.StateDirectory, "mariadb");

    private string Socket => Path.Combine(Directory, "mariadb.sock");

    private string Binlogs => Path.Combine(Directory, "binlog");

    /// <summary>
    /// Full backup of the coupons database, consistent (one transaction), with the binlog position it ends at.
    /// </summary>
    public async Task<(string File, BinlogPosition Position)> BackupAsync()
    {
        var file = Path.Combine(Directory, $"backup-{DateTime.UtcNow:yyyyMMddHHmmss}.sql");
        await ShellAsync($"mariadb-dump --no-defaults -uroot --socket={Socket} --single-transaction --master-data=2 --databases coupons > {file}");
        var header = ChangeMasterLine().Match(await System.IO.File.ReadAllTextAsync(file));
        Assert.True(header.Success, "the backup does not record its binlog position");
        return (file, new BinlogPosition(header.Groups[1].Value, long.Parse(header.Groups[2].Value, CultureInfo.InvariantCulture)));
    }

    /// <summary>Where the binlog is now: a moment to restore to.</summary>
    public async Task<BinlogPosition> CurrentPositionAsync()
    {
        var status = (await ShellAsync($"mariadb --no-defaults -uroot --socket={Socket} -N -e 'SHOW MASTER STATUS'")).Split('\t');
        return new BinlogPosition(status[0], long.Parse(status[1], CultureInfo.InvariantCulture));
    }

    public Task ExecuteAsync(string sql) => ShellAsync($"mariadb --no-defaults -uroot --socket={Socket} coupons -e \"{sql}\"");

    /// <summary>
    /// Loads the backup, then replays the binlog from the backup's position up to <paramref name="until"/>.
    /// </summary>
    public async Task RestoreAsync(string backup, BinlogPosition from, BinlogPosition until)
    {
        await ShellAsync($"mariadb --no-defaults -uroot --socket={Socket} < {backup}");
        var files = System.IO.Directory.GetFiles(Binlogs, "mariadb-bin.*").Select(Path.GetFileName)
            .Where(f => !f!.EndsWith(".index", StringComparison.Ordinal))
            .Where(f => string.CompareOrdinal(f, from.File) >= 0 && string.CompareOrdinal(f, until.File) <= 0)
            .Order(StringComparer.Ordinal)
            .Select(f => Path.Combine(Binlogs, f!));
        Assert.NotEmpty(files);
        // --disable-log-bin: the replay is not logged again (it would be replayed twice by the next PITR).
        await ShellAsync($"mariadb-binlog --no-defaults --disable-log-bin --start-position={from.Position} --stop-position={until.Position} " +
            $"{string.Join(' ', files)} | mariadb --no-defaults -uroot --socket={Socket}");
    }

    private static async Task<string> ShellAsync(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", ["-o", "pipefail", "-c", command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{command}: exit {process.ExitCode}: {await errors}");
        return (await output).Trim();
    }

    [GeneratedRegex("CHANGE MASTER TO MASTER_LOG_FILE='([^']+)', MASTER_LOG_POS=(\\d+)")]
    private static partial Regex ChangeMasterLine();
}
