using System.Text.Json;
using Coupons.Client;

namespace Coupons.Cli.Collect;

/// <summary>
/// What the app says about itself over HTTP: health, metrics, its effective configuration, dead letters.
/// </summary>
public sealed class AppSources(Targets targets) : IDisposable
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly HttpClient _app = new() { BaseAddress = targets.App, Timeout = TimeSpan.FromSeconds(10) };
    private readonly HttpClient _admin = Admin(targets);

    public void Dispose()
    {
        _app.Dispose();
        _admin.Dispose();
    }

    /// <summary>The health document whatever its status code (503 is exactly when it matters).</summary>
    public async Task<string> HealthAsync()
    {
        using var response = await _app.GetAsync("/actuator/health");
        return Pretty(await response.Content.ReadAsStringAsync());
    }

    public Task<string> MetricsAsync() => _admin.GetStringAsync("/metrics");

    /// <summary>The version and commit the app runs (GET /actuator/info).</summary>
    public async Task<string> InfoAsync() => Pretty(await _admin.GetStringAsync("/actuator/info")); // the admin listener's, beside /metrics

    /// <summary>Redacted by the app itself (GET /api/admin/config); couponctl never sees the secrets.</summary>
    public async Task<string> ConfigurationAsync() => Pretty(await _admin.GetStringAsync("/api/admin/config"));

    /// <summary>One setting as the app reports it (GET /api/admin/config), or null.</summary>
    public async Task<string?> SettingAsync(string key)
    {
        try
        {
            var settings = JsonSerializer.Deserialize<Dictionary<string, string>>(await _admin.GetStringAsync("/api/admin/config"));
            return settings?.GetValueOrDefault(key);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    /// <summary>How many dead letters, by error, and the latest few with their payloads.</summary>
    public async Task<string> DeadLettersAsync()
    {
        var letters = await new CouponsAdminClient(_admin).DeadLettersAsync(1000);
        var summary = new
        {
            count = letters.Count,
            byError = letters.GroupBy(l => l.Error ?? "?").ToDictionary(g => g.Key, g => g.Count()),
            latest = letters.OrderByDescending(l => l.At).Take(20),
        };
        return JsonSerializer.Serialize(summary, Indented);
    }

    private static HttpClient Admin(Targets targets)
    {
        var http = new HttpClient { BaseAddress = targets.Admin, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add(CouponsAdminClient.KeyHeader, targets.AdminKey);
        return http;
    }

    private static string Pretty(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(document.RootElement, Indented);
        }
        catch (JsonException)
        {
            return json;
        }
    }
}
