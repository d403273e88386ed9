using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Coupons.Client;
using Coupons.Contracts;

namespace Coupons.Cli.Status;

/// <summary>
/// Reads the checklist's signals over HTTP: the app's health and /metrics, the admin API (dead letters, each open
/// coupon's consistency) and Alertmanager. Each part fails on its own and says why; nothing that failed reads as fine.
/// </summary>
public sealed class SignalReader : IDisposable
{
    /// <summary>Open coupons checked for consistency, newest first (a report reads the database and Redis).</summary>
    public const int MaxCoupons = 20;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly Targets _targets;
    private readonly TimeProvider _clock;
    private readonly HttpClient _http = new() { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

    public SignalReader(Targets targets, TimeProvider? clock = null)
    {
        _targets = targets;
        _clock = clock ?? TimeProvider.System;
    }

    public void Dispose() => _http.Dispose();

    public async Task<Signals> ReadAsync(CancellationToken ct)
    {
        var signals = new Signals { At = _clock.GetUtcNow() };
        var replicas = new List<ReplicaSignals>();
        foreach (var replica in _targets.Replicas)
        {
            replicas.Add(await ReadMetricsAsync(await ReadHealthAsync(new ReplicaSignals { Replica = replica }, ct), ct));
        }

        signals = await ReadAdminAsync(signals with { Replicas = replicas }, ct);
        return await ReadAlertsAsync(signals, ct);
    }

    private async Task<ReplicaSignals> ReadHealthAsync(ReplicaSignals signals, CancellationToken ct)
    {
        var elapsed = Stopwatch.StartNew();
        try
        {
            // 503 is an answer too: the body says which dependency is down.
            using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(signals.Replica.App, "/actuator/health")), ct);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var dependencies = body.RootElement.TryGetProperty("components", out var components)
                ? components.EnumerateObject().Select(c => new DependencyState(c.Name,
                    c.Value.GetProperty("status").GetString() == "UP",
                    c.Value.TryGetProperty("details", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null)).ToList()
                : throw new JsonException($"{(int)response.StatusCode} without a components list: not this service's health endpoint");
            return signals with { Dependencies = dependencies, HealthLatency = elapsed.Elapsed };
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException && !ct.IsCancellationRequested)
        {
            return signals with { AppUnreachable = Describe(ex), HealthLatency = elapsed.Elapsed };
        }
    }

    private async Task<ReplicaSignals> ReadMetricsAsync(ReplicaSignals signals, CancellationToken ct)
    {
        try
        {
            using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(signals.Replica.Admin, "/metrics")), ct);
            response.EnsureSuccessStatusCode();
            var samples = PrometheusText.Parse(await response.Content.ReadAsStringAsync(ct));
            IEnumerable<Sample> Named(string name) => samples.Where(s => s.Name == name);
            if (!Named("coupons_circuit_state").Any())
            {
                // A 200 from something else (a proxy's page, another service) must not read as "nothing parked, no
                // lag".
                return signals with { MetricsError = "answered without the coupon service's metrics (no coupons_circuit_state)" };
            }

            return signals with
            {
                LagByPartition = Named("coupons_consumer_lag").GroupBy(s => s.Labels.GetValueOrDefault("partition", "?"))
                    .ToDictionary(g => g.Key, g => (long)g.Max(s => s.Value)),
                Circuits = Named("coupons_circuit_state").GroupBy(s => s.Labels.GetValueOrDefault("dependency", "?"))
                    .ToDictionary(g => g.Key, g => (int)g.Max(s => s.Value)),
                Parked = Named("coupons_parked_requests").Select(s => (long?)s.Value).Max(),
                ConsumerPaused = Named("coupons_consumer_paused").Any(s => s.Value > 0),
                PausesViewAge = Named("coupons_sales_pauses_age_seconds").Select(s => (double?)s.Value).Max(),
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or FormatException && !ct.IsCancellationRequested)
        {
            return signals with { MetricsError = Describe(ex) };
        }
    }

    /// <summary>
    /// Dead letters and the open coupons' consistency, from the first replica whose admin API answers (they share the
    /// database, Redis and Kafka). When none does, the first error says why.
    /// </summary>
    private async Task<Signals> ReadAdminAsync(Signals signals, CancellationToken ct)
    {
        signals = await ReadPausesAsync(signals, ct);
        string? firstError = null;
        foreach (var replica in _targets.Replicas)
        {
            var error = await TryReadAdminAsync(replica, ct);
            if (error.Signals is { } read)
            {
                return signals with
                {
                    NewDeadLetters = read.NewDeadLetters, DeadLetters = read.DeadLetters, Coupons = read.Coupons, OpenCoupons = read.OpenCoupons,
                };
            }

            firstError ??= _targets.Replicas.Count == 1 ? error.Reason : $"{replica.Admin}: {error.Reason}";
        }

        return signals with { AdminError = firstError };
    }

    private async Task<(Signals? Signals, string? Reason)> TryReadAdminAsync(Replica replica, CancellationToken ct)
    {
        using var adminHttp = AdminHttp(replica);
        using var publicHttp = new HttpClient { BaseAddress = replica.App, Timeout = Timeout };
        var admin = new CouponsAdminClient(adminHttp);
        List<DeadLetter> letters;
        try
        {
            letters = await admin.DeadLettersAsync(100, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or ApiProblemException or JsonException)
        {
            return (null, Describe(ex));
        }

        try
        {
            var open = await new CouponsClient(publicHttp).GetIssuableAsync(ct);
            var coupons = new List<CouponState>();
            var openCount = open.Count;
            foreach (var coupon in open.OrderByDescending(c => c.Id).Take(MaxCoupons))
            {
                coupons.Add(await ReadCouponAsync(admin, coupon.Id, coupon.Name, ct));
            }

            var since = _clock.GetUtcNow() - AlertRules.DeadLetterWindow;
            return (new Signals { At = since, DeadLetters = letters.Count, NewDeadLetters = letters.Count(l => IsNew(l, since)), Coupons = coupons, OpenCoupons = openCount }, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or ApiProblemException or JsonException)
        {
            return (null, $"open coupons: {Describe(ex)}");
        }
    }

    /// <summary>
    /// The pauses in force, from the first replica whose admin API gives them, read before anything else the admin
    /// API shows (the dead letters need Kafka, the open coupons Redis: a reason to pause must not hide the pauses). A
    /// failure is said (a service older than the kill switch answers 404), never read as "none".
    /// </summary>
    private async Task<Signals> ReadPausesAsync(Signals signals, CancellationToken ct)
    {
        string? firstError = null;
        foreach (var replica in _targets.Replicas)
        {
            using var adminHttp = AdminHttp(replica);
            try
            {
                return signals with { Pauses = await new CouponsAdminClient(adminHttp).SalePausesAsync(ct) };
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or ApiProblemException or JsonException)
            {
                firstError ??= _targets.Replicas.Count == 1 ? Describe(ex) : $"{replica.Admin}: {Describe(ex)}";
            }
        }

        return signals with { PausesError = firstError };
    }

    /// <summary>A letter whose time cannot be read counts as new: an unknown age must not hide it.</summary>
    private static bool IsNew(DeadLetter letter, DateTimeOffset since) =>
        !DateTimeOffset.TryParse(letter.At, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) || at >= since;

    /// <summary>
    /// One coupon's consistency; a report that cannot be read (Redis down: 503) is shown as such, not as drift.
    /// </summary>
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
        if (_targets.Alertmanager is null)
        {
            return signals;
        }

        try
        {
            using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(_targets.Alertmanager, "/api/v2/alerts?active=true&silenced=false&inhibited=false")), ct);
            response.EnsureSuccessStatusCode();
            var alerts = await response.Content.ReadFromJsonAsync<List<AlertmanagerAlert>>(ct) ?? [];
            return signals with
            {
                AlertmanagerAsked = true,
                Alerts = [.. alerts.Where(a => a.Status?.State == "active").Select(a => new FiringAlert(
                    a.Labels.GetValueOrDefault("alertname", "?"), a.Labels.GetValueOrDefault("severity", "?"),
                    a.Annotations.GetValueOrDefault("runbook_url"), a.StartsAt, a.Labels.GetValueOrDefault("instance")))],
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException && !ct.IsCancellationRequested)
        {
            return signals with { AlertmanagerAsked = true, AlertmanagerError = Describe(ex) };
        }
    }

    private HttpClient AdminHttp(Replica replica)
    {
        var http = new HttpClient { BaseAddress = replica.Admin, Timeout = Timeout };
        http.DefaultRequestHeaders.Add(CouponsAdminClient.KeyHeader, _targets.AdminKey);
        return http;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        return await _http.SendAsync(request, timeout.Token);
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
