using System.Text.Json;

namespace Coupons.Cli.Drills;

/// <summary>
/// Watches one alert in Prometheus (<c>/api/v1/alerts</c>): when it first went pending, when it fired, when it stopped
/// firing. Prometheus is where the rules are evaluated, so this is the moment the page is sent, Alertmanager's grouping
/// aside.
/// </summary>
public sealed class AlertWatch(Uri prometheus, string alert) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = prometheus, Timeout = TimeSpan.FromSeconds(5) };

    public string Alert => alert;

    public DateTimeOffset? PendingAt { get; private set; }

    public DateTimeOffset? FiringAt { get; private set; }

    public DateTimeOffset? ResolvedAt { get; private set; }

    public string? Error { get; private set; }

    /// <summary>
    /// The state read last: inactive, pending, firing, or unknown (Prometheus did not answer; see <see cref="Error"/>).
    /// </summary>
    public string LastState { get; private set; } = "unknown";

    public void Dispose() => _http.Dispose();

    /// <summary>An instant query's series and values as text, for a report that must say what Prometheus saw.</summary>
    public async Task<string> DescribeAsync(string query, CancellationToken ct)
    {
        try
        {
            using var json = JsonDocument.Parse(await _http.GetStringAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}", ct));
            return string.Join(", ", json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
                .Select(r => $"{r.GetProperty("metric")}={r.GetProperty("value")[1].GetString()}"));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            return ex.Message;
        }
    }

    /// <summary>The instance whose alert fired first (the <c>instance</c> label), for the report.</summary>
    public string? FiringInstance { get; private set; }

    /// <summary>
    /// The alert's state now on any instance (firing before pending before inactive), without noting any time; null
    /// when Prometheus did not answer.
    /// </summary>
    public async Task<(string State, string? Instance)?> ReadAsync(CancellationToken ct)
    {
        try
        {
            using var json = JsonDocument.Parse(await _http.GetStringAsync("/api/v1/alerts", ct));
            Error = null;
            return StateOf(json.RootElement, alert);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException && !ct.IsCancellationRequested)
        {
            Error = ex.Message;
            return null;
        }
    }

    /// <summary>
    /// One alert's most urgent state across instances in an <c>/api/v1/alerts</c> answer, and the instance in it.
    /// </summary>
    public static (string State, string? Instance) StateOf(JsonElement answer, string alert) =>
        answer.GetProperty("data").GetProperty("alerts").EnumerateArray()
            .Where(a => a.GetProperty("labels").TryGetProperty("alertname", out var name) && name.GetString() == alert)
            .Select(a => (State: a.GetProperty("state").GetString() ?? "", Instance: a.GetProperty("labels").TryGetProperty("instance", out var i) ? i.GetString() : null))
            .OrderBy(a => a.State switch { "firing" => 0, "pending" => 1, _ => 2 })
            .FirstOrDefault(("inactive", (string?)null));

    /// <summary>
    /// Reads the alert's state now and notes the first pending, firing and (after firing) resolved times.
    /// </summary>
    public async Task<string> PollAsync(CancellationToken ct)
    {
        if (await ReadAsync(ct) is not { } read)
        {
            return LastState = "unknown";
        }

        var (state, instance) = read;
        LastState = state;
        var now = DateTimeOffset.UtcNow;
        if (state is "pending" or "firing")
        {
            PendingAt ??= now;
        }

        if (state == "firing")
        {
            FiringInstance ??= instance;
            FiringAt ??= now;
        }
        else if (FiringAt is not null && state == "inactive")
        {
            ResolvedAt ??= now;
        }

        return state;
    }
}
