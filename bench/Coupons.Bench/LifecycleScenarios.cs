using System.Diagnostics;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Text;
using HdrHistogram;

namespace Coupons.Bench;

/// <summary>
/// Issue 23's load: thousands of people waiting on pushed outcomes (what a status stream costs the app), and the
/// order service using coupons at checkout (the redemption endpoint's throughput and latency under a load of its own).
/// </summary>
internal static class LifecycleScenarios
{
    /// <summary>
    /// <paramref name="count"/> people click with the consumer paused, each opens a status stream and reads its first
    /// PENDING; the app's RSS before and with every stream open gives the memory per stream. Then the consumer resumes
    /// and each stream's outcome is timed from the resume to its arrival.
    /// </summary>
    public static async Task<string> StreamsAsync(AdminApi api, HttpClient http, string target, Func<string> user, int count, int? appPid)
    {
        var coupon = await api.CreateCouponAsync(count + 100);
        await api.SetConsumerPausedAsync(true);
        var requests = (await ClickAsync(http, coupon, user, count)).Select(a => a.RequestId).ToList();

        var before = Rss(appPid);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = count + 16, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var streams = new HttpClient(handler) { BaseAddress = new Uri(target), Timeout = Timeout.InfiniteTimeSpan };
        var opened = new List<(HttpResponseMessage Response, IAsyncEnumerator<SseItem<string>> Events)>();
        var refused = 0;
        foreach (var chunk in requests.Chunk(200))
        {
            foreach (var one in await Task.WhenAll(chunk.Select(id => OpenAsync(streams, coupon, id))))
            {
                if (one is { } stream)
                {
                    opened.Add(stream);
                }
                else
                {
                    refused++;
                }
            }
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        var withStreams = Rss(appPid);
        var latency = new LongHistogram(TimeStamp.Hours(1), 3);
        var resumed = Stopwatch.GetTimestamp();
        await api.SetConsumerPausedAsync(false);
        var outcomes = await Task.WhenAll(opened.Select(async s =>
        {
            string? last = null;
            while (await s.Events.MoveNextAsync())
            {
                last = s.Events.Current.Data;
            }

            lock (latency)
            {
                latency.RecordValue(Stopwatch.GetTimestamp() - resumed);
            }

            return last;
        }));
        foreach (var (response, events) in opened)
        {
            await events.DisposeAsync();
            response.Dispose();
        }

        var issued = outcomes.Count(o => o?.Contains("\"ISSUED\"", StringComparison.Ordinal) == true);
        double Ms(double q) => latency.GetValueAtPercentile(q) * 1000.0 / Stopwatch.Frequency;
        var perStream = before is { } b && withStreams is { } w && opened.Count > 0 ? $"{(double)(w - b) / opened.Count:F1} KiB per stream (RSS {b / 1024.0:F0} -> {w / 1024.0:F0} MiB)" : "RSS not sampled (no --app-pid)";
        return string.Create(CultureInfo.InvariantCulture,
            $"status streams: {opened.Count} open at once ({refused} refused), {perStream}; after the consumer resumed, {issued} pushed ISSUED, " +
            $"arriving p50 {Ms(50):F0} ms, p99 {Ms(99):F0} ms, last {Ms(100):F0} ms after the resume call");
    }

    /// <summary>
    /// <paramref name="count"/> people click, 64 at a time; the accepted ones with their request ids.
    /// </summary>
    private static async Task<List<(string User, Guid RequestId)>> ClickAsync(HttpClient http, long coupon, Func<string> user, int count)
    {
        var accepted = new List<(string, Guid)>();
        using var gate = new SemaphoreSlim(64);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            var who = user();
            await gate.WaitAsync();
            try
            {
                using var response = await http.PostAsync($"/api/coupons/{coupon}/issue-fcfs/{who}", null);
                if ((int)response.StatusCode == 202)
                {
                    var id = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("requestId").GetGuid();
                    lock (accepted)
                    {
                        accepted.Add((who, id));
                    }
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        return accepted;
    }

    private static async Task<(HttpResponseMessage, IAsyncEnumerator<SseItem<string>>)?> OpenAsync(HttpClient streams, long coupon, Guid requestId)
    {
        var response = await streams.GetAsync($"/api/coupons/{coupon}/issue-requests/{requestId}/events", HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            return null;
        }

        var events = SseParser.Create(await response.Content.ReadAsStreamAsync()).EnumerateAsync().GetAsyncEnumerator();
        await events.MoveNextAsync(); // the first PENDING: the stream is open and registered
        return (response, events);
    }

    /// <summary>The app's resident memory in KiB, from /proc (the bench runs on the app's machine).</summary>
    private static long? Rss(int? pid)
    {
        if (pid is null)
        {
            return null;
        }

        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// <paramref name="people"/> hold a coupon; <paramref name="clients"/> order services use them as fast as answered
    /// (closed model), one order per person (beyond that, the same orders again: replays).
    /// </summary>
    public static async Task<(LoadResult Result, string Note)> RedeemAsync(AdminApi api, HttpClient http, Func<string> user, int people, int clients, TimeSpan duration)
    {
        var coupon = await api.CreateCouponAsync(people + 100);
        var holders = (await ClickAsync(http, coupon, user, people)).Select(a => a.User).ToList();
        await api.WaitForDrainAsync(coupon, TimeSpan.FromMinutes(5));

        var orderService = BenchTokens.OrderService();
        var result = await LoadProfiles.SpikeAsync($"redeem: use at checkout (closed, {clients} clients)", http, n =>
        {
            var holder = holders[(int)(n % holders.Count)];
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/coupons/{coupon}/use/{holder}")
            {
                Content = new StringContent($"{{\"orderId\":\"order-{holder}\",\"orderAmount\":25000}}", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", orderService);
            return request;
        }, clients, TimeSpan.Zero, duration);
        var replays = Math.Max(0, result.Total - holders.Count);
        return (result, string.Create(CultureInfo.InvariantCulture,
            $"redeem: {result.PerSecond(result.Total):F0} uses/s, p50 {result.PercentileMs(50):F1} ms, p99 {result.PercentileMs(99):F1} ms over {holders.Count} holders " +
            $"({Math.Min(result.Total, holders.Count)} first uses, {replays} replays of an order already used); {result.Count(409)} conflicts, {result.ServerErrors} 5xx"));
    }
}
