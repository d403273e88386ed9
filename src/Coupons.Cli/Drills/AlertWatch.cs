using System.Text.Json;

namespace Coupons.Cli.Drills;

/// <summary>
/// Watches one alert in Prometheus (<c>/api/v1/alerts</c>): when it first went pending, when it fired, when it stopped
/// firing. Prometheus is where the rules are evaluated, so this is the moment the page is sent, Alertmanager's grouping
/// aside.
/// </summary>
public sealed class AlertWatch(Uri prometheus, string alert) : IDisposable
{
    private readonly HttpClient http = new() { BaseAddress = prometheus, Timeout = TimeSpan.FromSeconds(5) };

    public string Alert => alert;

    public DateTimeOffset? PendingAt { get; private set; }

    public DateTimeOffset? FiringAt { get; private set; }

    public DateTimeOffset? ResolvedAt { get; private set; }

    public string? Error { get; private set; }

    /// <summary>The state read last: inactive, pending, firing, or unknown (Prometheus did not answer; see <see cref="Error"/>).</summary>
    public string LastState { get; private set; } = "unknown";

    public void Dispose() => http.Dispose();

    /// <summary>An instant query's series and values as text, for a report that must say what Prometheus saw.</summary>
    public async Task<string> DescribeAsync(string query, CancellationToken ct)
    {
        try
        {
            using var json = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}", ct));
            return string.Join(", ", json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
                .Select(r => $"{r.GetProperty("metric")}={r.GetProperty("value")[1].GetString()}"));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            return ex.Message;
        }
    }

    /// <summary>Reads the alert's state now and notes the first pending, firing and (after firing) resolved times.</summary>
    public async Task<string> PollAsync(CancellationToken ct)
    {
        string state;
        try
        {
            using var json = JsonDocument.Parse(await http.GetStringAsync("/api/v1/alerts", ct));
            state = json.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray()
                .Where(a => a.GetProperty("labels").TryGetProperty("alertname", out var name) && name.GetString() == alert)
                .Select(a => a.GetProperty("state").GetString() ?? "")
                .OrderBy(s => s == "firing" ? 0 : 1)
                .FirstOrDefault() ?? "inactive";
            Error = null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            Error = ex.Message;
            return LastState = "unknown";
        }

        LastState = state;
        var now = DateTimeOffset.UtcNow;
        if (state is "pending" or "firing")
        {
            PendingAt ??= now;
        }

        if (state == "firing")
        {
            FiringAt ??= now;
        }
        else if (FiringAt is not null && state == "inactive")
        {
            ResolvedAt ??= now;
        }

        return state;
    }
}
