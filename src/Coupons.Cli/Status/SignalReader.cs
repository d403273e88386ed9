using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Coupons.Client;

namespace Coupons.Cli.Status;

/// <summary>
/// Reads the checklist's signals over HTTP: the app's health and /metrics, the admin API (dead letters, each open
/// coupon's consistency) and Alertmanager. Each part fails on its own and says why; nothing that failed reads as fine.
/// </summary>
public sealed class SignalReader : IDisposable
{
    /// <summary>Open coupons checked for consistency, newest first (a report reads the database and Redis).</summary>
    private const int MaxCoupons = 20;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly Targets targets;
    private readonly HttpClient http = new() { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    private readonly HttpClient adminHttp;
    private readonly HttpClient publicHttp;

    public SignalReader(Targets targets)
    {
        this.targets = targets;
        adminHttp = new HttpClient { BaseAddress = targets.Admin, Timeout = Timeout };
        adminHttp.DefaultRequestHeaders.Add(CouponsAdminClient.KeyHeader, targets.AdminKey);
        publicHttp = new HttpClient { BaseAddress = targets.App, Timeout = Timeout };
    }

    public void Dispose()
    {
        http.Dispose();
        adminHttp.Dispose();
        publicHttp.Dispose();
    }

    public async Task<Signals> ReadAsync(CancellationToken ct)
    {
        var signals = new Signals { At = DateTimeOffset.UtcNow };
        signals = await ReadHealthAsync(signals, ct);
        signals = await ReadMetricsAsync(signals, ct);
        signals = await ReadAdminAsync(signals, ct);
        return await ReadAlertsAsync(signals, ct);
    }

    private async Task<Signals> ReadHealthAsync(Signals signals, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            // 503 is an answer too: the body says which dependency is down.
            using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(targets.App, "/actuator/health")), ct);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var dependencies = body.RootElement.TryGetProperty("components", out var components)
                ? components.EnumerateObject().Select(c => new DependencyState(c.Name,
                    c.Value.GetProperty("status").GetString() == "UP",
                    c.Value.TryGetProperty("details", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null)).ToList()
                : [];
            return signals with { Dependencies = dependencies, HealthLatency = clock.Elapsed };
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            return signals with { AppUnreachable = Describe(ex), HealthLatency = clock.Elapsed };
        }
    }

    private async Task<Signals> ReadMetricsAsync(Signals signals, CancellationToken ct)
    {
        try
        {
            using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(targets.Admin, "/metrics")), ct);
            response.EnsureSuccessStatusCode();
            var samples = PrometheusText.Parse(await response.Content.ReadAsStringAsync(ct));
            IEnumerable<Sample> Named(string name) => samples.Where(s => s.Name == name);
            return signals with
            {
                LagByPartition = Named("coupons_consumer_lag").ToDictionary(s => s.Labels.GetValueOrDefault("partition", "?"), s => (long)s.Value),
                Circuits = Named("coupons_circuit_state").ToDictionary(s => s.Labels.GetValueOrDefault("dependency", "?"), s => (int)s.Value),
                Parked = (long)Named("coupons_parked_requests").Sum(s => s.Value),
                ConsumerPaused = Named("coupons_consumer_paused").Any(s => s.Value > 0),
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return signals with { MetricsError = Describe(ex) };
        }
    }

    private async Task<Signals> ReadAdminAsync(Signals signals, CancellationToken ct)
    {
        var admin = new CouponsAdminClient(adminHttp);
        try
        {
            signals = signals with { DeadLetters = (await admin.DeadLettersAsync(100, ct)).Count };
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or ApiProblemException or JsonException)
        {
            return signals with { AdminError = Describe(ex) };
        }

        try
        {
            var open = await new CouponsClient(publicHttp).GetIssuableAsync(ct);
            var coupons = new List<CouponState>();
            foreach (var coupon in open.OrderByDescending(c => c.Id).Take(MaxCoupons))
            {
                coupons.Add(await ReadCouponAsync(admin, coupon.Id, coupon.Name, ct));
            }

            return signals with { Coupons = coupons };
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or ApiProblemException or JsonException)
        {
            return signals with { AdminError = $"open coupons: {Describe(ex)}" };
        }
    }

    /// <summary>One coupon's consistency; a report that cannot be read (Redis down: 503) is shown as such, not as drift.</summary>
    private static async Task<CouponState> ReadCouponAsync(CouponsAdminClient admin, long id, string name, CancellationToken ct)
    {
        try
        {
            var report = await admin.ConsistencyAsync(id, ct);
            return new CouponState(id, name, report.Consistent, report.InFlight, report.Parked, report.Problems);
        }
        catch (ApiProblemException ex)
        {
            return new CouponState(id, name, false, 0, 0, [], ex.Problem.ToString());
        }
    }

    private async Task<Signals> ReadAlertsAsync(Signals signals, CancellationToken ct)
    {
        if (targets.Alertmanager is null)
        {
            return signals;
        }

        try
        {
            var alerts = await http.GetFromJsonAsync<List<AlertmanagerAlert>>(
                new Uri(targets.Alertmanager, "/api/v2/alerts?active=true&silenced=false&inhibited=false"), ct) ?? [];
            return signals with
            {
                AlertmanagerAsked = true,
                Alerts = [.. alerts.Where(a => a.Status?.State == "active").Select(a => new FiringAlert(
                    a.Labels.GetValueOrDefault("alertname", "?"), a.Labels.GetValueOrDefault("severity", "?"),
                    a.Annotations.GetValueOrDefault("runbook_url"), a.StartsAt, a.Labels.GetValueOrDefault("instance")))],
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            return signals with { AlertmanagerAsked = true, AlertmanagerError = Describe(ex) };
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        return await http.SendAsync(request, timeout.Token);
    }

    private static string Describe(Exception ex) => ex switch
    {
        TaskCanceledException => $"no answer within {Timeout.TotalSeconds:F0} s",
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => "connection refused",
        _ => ex.Message,
    };

    private sealed record AlertmanagerAlert(
        Dictionary<string, string> Labels, Dictionary<string, string> Annotations, DateTimeOffset StartsAt, AlertmanagerStatus? Status);

    private sealed record AlertmanagerStatus(string State);
}
