using System.Diagnostics;

namespace Coupons.Bench;

/// <summary>
/// The two load shapes: an open-model constant arrival rate and a closed-model spike of concurrent clients.
/// </summary>
public static class LoadProfiles
{
    /// <summary>
    /// Sends <paramref name="rate"/> requests per second for <paramref name="duration"/>, whatever the answers take
    /// (open model). Latency is measured from each request's scheduled time, so a stalled server shows up as latency
    /// instead of silently lowering the rate (no coordinated omission). Like wrk2, requests go over a fixed pool of
    /// keep-alive connections (the <paramref name="http"/> handler's limit); a request waiting for a free connection
    /// is waiting for the server, and that wait is counted.
    /// </summary>
    public static async Task<LoadResult> ConstantRateAsync(string name, HttpClient http, Func<long, HttpRequestMessage> request, int rate, TimeSpan duration, int maxInFlight)
    {
        var result = new LoadResult(name);
        var total = (long)(rate * duration.TotalSeconds);
        var ticksPerRequest = (double)Stopwatch.Frequency / rate;
        using var inFlight = new SemaphoreSlim(maxInFlight);
        long outstanding = 1; // the sender itself, released after the last send
        var allDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = Stopwatch.GetTimestamp();
        for (long i = 0; i < total; i++)
        {
            var scheduled = start + (long)(i * ticksPerRequest);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), scheduled);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            await inFlight.WaitAsync();
            Interlocked.Increment(ref outstanding);
            _ = SendThenReleaseAsync(i, scheduled);
        }

        Done();
        await allDone.Task;
        result.Elapsed = Stopwatch.GetElapsedTime(start);
        return result;

        async Task SendThenReleaseAsync(long n, long scheduled)
        {
            try
            {
                await SendAsync(http, request(n), result, scheduled);
            }
            finally
            {
                inFlight.Release();
                Done();
            }
        }

        void Done()
        {
            if (Interlocked.Decrement(ref outstanding) == 0)
            {
                allDone.SetResult();
            }
        }
    }

    /// <summary>
    /// Ramps from 0 to <paramref name="clients"/> concurrent clients over <paramref name="rampUp"/>, each sending back
    /// to back until <paramref name="duration"/> ends.
    /// </summary>
    public static async Task<LoadResult> SpikeAsync(string name, HttpClient http, Func<long, HttpRequestMessage> request, int clients, TimeSpan rampUp, TimeSpan duration)
    {
        var result = new LoadResult(name);
        long counter = -1;
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, clients).Select(async c =>
        {
            await Task.Delay(rampUp * c / clients);
            while (Stopwatch.GetTimestamp() < end)
            {
                var n = Interlocked.Increment(ref counter);
                await SendAsync(http, request(n), result, Stopwatch.GetTimestamp());
            }
        });
        await Task.WhenAll(workers);
        result.Elapsed = Stopwatch.GetElapsedTime(start);
        return result;
    }

    private static async Task SendAsync(HttpClient http, HttpRequestMessage message, LoadResult result, long scheduled)
    {
        try
        {
            using (message)
            using (var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead))
            {
                result.Record((int)response.StatusCode, Stopwatch.GetTimestamp() - scheduled);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            result.RecordError(Stopwatch.GetTimestamp() - scheduled);
        }
    }
}
