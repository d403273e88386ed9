using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coupons.Cli.Drills;

/// <summary>
/// Writes a drill's report as <c>&lt;dir&gt;/&lt;UTC time&gt;-&lt;scenario&gt;.md</c> and <c>.json</c>, and reads the
/// JSON back.
/// </summary>
public static class DrillReportFiles
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public static async Task<(string Markdown, string Json)> WriteAsync(DrillReport report, string directory, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        var stem = Path.Combine(directory, $"{report.StartedAt.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{report.Scenario}");
        await File.WriteAllTextAsync(stem + ".json", JsonSerializer.Serialize(report, Json), ct);
        await File.WriteAllTextAsync(stem + ".md", Markdown(report), ct);
        return (stem + ".md", stem + ".json");
    }

    public static async Task<DrillReport> ReadAsync(string path, CancellationToken ct) =>
        JsonSerializer.Deserialize<DrillReport>(await File.ReadAllTextAsync(path, ct), Json)
        ?? throw new InvalidDataException($"{path} is not a drill report");

    public static string Markdown(DrillReport r)
    {
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine(inv, $"# Drill {r.Scenario}: {r.Verdict}");
        md.AppendLine();
        md.AppendLine(inv, $"- Stack: {r.Stack}; fault: {r.Fault}");
        md.AppendLine(inv, $"- Window: {r.StartedAt:u} to {r.EndedAt:u}; injected {r.InjectedAt:u}, healed {r.HealedAt:u} (held {(r.HealedAt - r.InjectedAt).TotalSeconds:F0} s)");
        md.AppendLine(inv, $"- Coupon {r.CouponId}; reproduce: `couponctl drill {r.Scenario} --stack {r.Stack}`");
        md.AppendLine();
        md.AppendLine("| measure | result | target |");
        md.AppendLine("|---|---|---|");
        md.AppendLine(inv, $"| time to detect ({r.Alert ?? "no alert expected"}) | {Seconds(r.DetectedAfterSeconds, r.Alert is null)} | {(r.Alert is null ? "-" : $"{r.Severity}: {r.DetectTargetSeconds:F0} s")} |");
        md.AppendLine(inv, $"| time to recover | {Seconds(r.RecoveredAfterSeconds, false)} | {r.RecoverTargetSeconds:F0} s |");
        md.AppendLine(inv, $"| alert resolved after the heal | {Seconds(r.AlertResolvedAfterHealSeconds, r.Alert is null)} | - |");
        md.AppendLine();
        var l = r.Load;
        md.AppendLine("## Load (the drill's own counters)");
        md.AppendLine();
        md.AppendLine(inv, $"{l.Users} users sent {l.Requests} requests: {l.Accepted} accepted (202), {l.Conflicts} 409, {l.Unavailable} 503, {l.RateLimited} 429, {l.NoAnswer} without an answer, {l.OtherErrors} other; " +
            $"{l.UsersRefusedAtLeastOnce} users were refused at least once, {l.UsersDelayedOver5s} waited over 5 s for their final answer; p99 latency {l.P99LatencyMs:F0} ms.");
        md.AppendLine();
        md.AppendLine(inv, $"By answer: {string.Join(", ", l.ByStatusAndCode.Select(a => $"{a.Key}: {a.Value}"))}.");
        md.AppendLine();
        md.AppendLine(r.AcceptedDuringFault == 0
            ? "No click was accepted during the fault."
            : string.Create(inv, $"{r.AcceptedDuringFault} click{(r.AcceptedDuringFault == 1 ? " was" : "s were")} accepted during the fault."));
        md.AppendLine();
        md.AppendLine("## Invariants (read from the database)");
        md.AppendLine();
        md.AppendLine("| | rule | holds | evidence |");
        md.AppendLine("|---|---|---|---|");
        foreach (var i in r.Invariants)
        {
            md.AppendLine(inv, $"| {i.Id} | {i.Rule} | {(i.Holds ? "yes" : "**NO**")} | {i.Evidence} |");
        }

        md.AppendLine();
        md.AppendLine("## Timeline (UTC)");
        md.AppendLine();
        foreach (var e in r.Events)
        {
            md.AppendLine(inv, $"- {e.At:HH:mm:ss.f} {e.What}");
        }

        if (r.Failures.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Why it failed");
            md.AppendLine();
            r.Failures.ToList().ForEach(f => md.AppendLine($"- {f}"));
        }

        return md.ToString();
    }

    private static string Seconds(double? value, bool notApplicable) =>
        notApplicable ? "-" : value is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v:F1} s") : "not reached";
}
