using System.Text.Json;

namespace Coupons.Cli.Postmortem;

/// <summary>
/// The app's own account of an incident: its JSON console log lines (appsettings.json's formatter) whose event ids
/// mark a change of state — circuits opening and closing, parked requests relayed, gates rebuilt, reconciliation, an
/// admin action whose audit row could not be written. A line repeated (a circuit that re-opens at every probe) is
/// shown once, with how often and until when.
/// </summary>
public static class AppLog
{
    private static readonly IReadOnlySet<int> StateChanges = new HashSet<int> { 2101, 2102, 4002, 4003, 4101, 5008, 7001, 7002, 7101, 8102 };

    public static IReadOnlyList<TimelineEntry> Read(IEnumerable<string> files, DateTimeOffset from, DateTimeOffset to)
    {
        var entries = new List<TimelineEntry>();
        foreach (var file in files)
        {
            foreach (var line in File.ReadLines(file).Where(l => l.StartsWith('{')))
            {
                if (Parse(line) is { } entry && entry.At >= from && entry.At <= to)
                {
                    entries.Add(entry with { Source = $"app log {Path.GetFileName(file)}" });
                }
            }
        }

        return Collapse(entries.OrderBy(e => e.At));
    }

    private static List<TimelineEntry> Collapse(IEnumerable<TimelineEntry> ordered)
    {
        var collapsed = new List<TimelineEntry>();
        TimelineEntry? first = null;
        TimelineEntry? last = null;
        var repeats = 0;
        foreach (var entry in ordered.Append(null))
        {
            if (entry is not null && first is not null && entry.What == first.What && entry.Source == first.Source)
            {
                last = entry;
                repeats++;
                continue;
            }

            if (first is not null)
            {
                collapsed.Add(repeats == 0 ? first : first with { What = $"{first.What} (x{repeats + 1}, the last at {last!.At:HH:mm:ss})" });
            }

            (first, last, repeats) = (entry, entry, 0);
        }

        return collapsed;
    }

    private static TimelineEntry? Parse(string line)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            return root.TryGetProperty("EventId", out var id) && id.ValueKind == JsonValueKind.Number && StateChanges.Contains(id.GetInt32())
                   && root.TryGetProperty("Timestamp", out var at) && DateTimeOffset.TryParse(at.GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var timestamp)
                ? new TimelineEntry(timestamp, "app log", root.GetProperty("Message").GetString() ?? "")
                : null;
        }
        catch (JsonException)
        {
            return null; // a line some other writer interleaved
        }
    }
}
