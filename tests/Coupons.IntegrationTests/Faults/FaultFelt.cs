using System.Collections.Concurrent;
using System.Text.Json;
using Coupons.Client;

namespace Coupons.IntegrationTests.Faults;

/// <summary>
/// What the app showed while a fault was on: the health components it reported DOWN and the most requests it had
/// parked. A fault test must prove its fault reached the app (issue 26, item 3): if injecting stopped working, every
/// scenario would still pass with a recovery of 0 s.
/// </summary>
public sealed class FaultFelt : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, byte> _down = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _watching;
    private long _maxParked;

    private FaultFelt(HttpClient app, ApiDriver api, long couponId) => _watching = WatchAsync(app, api, couponId);

    /// <summary>
    /// Starts polling the app's health (<c>/actuator/health</c>) and the coupon's parked count, four times a second.
    /// </summary>
    public static FaultFelt Watch(HttpClient app, ApiDriver api, long couponId) => new(app, api, couponId);

    public IReadOnlyCollection<string> Down => [.. _down.Keys];

    public long MaxParked => Interlocked.Read(ref _maxParked);

    public override string ToString() => $"down=[{string.Join(",", Down.Order())}] parked-max={MaxParked}";

    /// <summary>Stops watching; what was seen stays readable.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watching;
        _stop.Dispose();
    }

    private async Task WatchAsync(HttpClient app, ApiDriver api, long couponId)
    {
        while (!_stop.IsCancellationRequested)
        {
            await Task.WhenAll(ReadHealthAsync(app), ReadParkedAsync(api, couponId));
            try
            {
                await Task.Delay(250, _stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task ReadHealthAsync(HttpClient app)
    {
        try
        {
            // Longer than the app's own 2 s per check: a health read the app is slow to answer tells nothing either
            // way.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using var response = await app.GetAsync("/actuator/health", timeout.Token);
            using var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token));
            if (!health.RootElement.TryGetProperty("components", out var components))
            {
                return;
            }

            foreach (var component in components.EnumerateObject())
            {
                if (component.Value.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String && status.GetString() == "DOWN")
                {
                    _down.TryAdd(component.Name, 0);
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException)
        {
            // No answer in time: not evidence of anything.
        }
    }

    private async Task ReadParkedAsync(ApiDriver api, long couponId)
    {
        try
        {
            if (await api.ConsistencyOrNullAsync(couponId) is { } report && report.Parked > Interlocked.Read(ref _maxParked))
            {
                Interlocked.Exchange(ref _maxParked, report.Parked);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or ApiProblemException)
        {
            // The report needs the database: not readable during a MariaDB fault.
        }
    }
}
