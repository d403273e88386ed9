using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Coupons.Bench;

/// <summary>What wrk said about a closed run: its rate, p99, and what it counted as failed.</summary>
public sealed record WrkRun(double PerSecond, double P50Ms, double P99Ms, long Requests, long Non2xx, long SocketErrors)
{
    /// <summary>wrk's rate counts every answer; this is the 2xx (202 accepted) part of it.</summary>
    public double AcceptedPerSecond => PerSecond * (Requests - Non2xx) / Math.Max(1, Requests);

    public string Row(string name) => string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {Requests} | {PerSecond:F0} | {AcceptedPerSecond:F0} | - | - | - | {SocketErrors} | {P50Ms:F2} | - | {P99Ms:F2} | - | - |");
}

/// <summary>
/// wrk (C, one thread) driving the same click as the bench's own closed load (bench/wrk/fcfs.lua), so the bench can
/// tell whether its own generator is the limit (issue 24): the same connections, users and coupon kind.
/// </summary>
public static partial class WrkLoad
{
    public static bool Installed => File.Exists("/usr/bin/wrk");

    public static async Task<WrkRun> RunAsync(string target, long couponId, string userPrefix, int users, int connections, TimeSpan duration)
    {
        var arguments = new[]
        {
            "-t1", $"-c{connections}", $"-d{(int)duration.TotalSeconds}s", "--timeout", "10s", "-s", "bench/wrk/fcfs.lua", target,
            "--", couponId.ToString(CultureInfo.InvariantCulture), userPrefix, users.ToString(CultureInfo.InvariantCulture),
        };
        using var wrk = Process.Start(new ProcessStartInfo("wrk", arguments) { RedirectStandardOutput = true })!;
        var output = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        if (wrk.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk failed ({wrk.ExitCode}): {output}");
        }

        double Number(Regex pattern) => pattern.Match(output) is { Success: true } m ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var socketErrors = SocketErrors().Matches(output).Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        return new WrkRun(Number(RequestsPerSecond()), Number(P50()), Number(P99()), (long)Number(Requests()), (long)Number(Non2xx()), socketErrors);
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"p50 ([0-9.]+) ms")]
    private static partial Regex P50();

    [GeneratedRegex(@"p99 ([0-9.]+) ms")]
    private static partial Regex P99();

    [GeneratedRegex(@"([0-9]+) requests in")]
    private static partial Regex Requests();

    [GeneratedRegex(@"Non-2xx or 3xx responses: ([0-9]+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"(?:connect|read|write|timeout) ([0-9]+)")]
    private static partial Regex SocketErrors();
}
