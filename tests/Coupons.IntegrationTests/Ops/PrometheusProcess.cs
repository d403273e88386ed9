using System.Diagnostics;
using System.Text.Json;

namespace Coupons.IntegrationTests.Ops;

/// <summary>
/// A real Prometheus on loopback with the repository's alert rules and the deploy config's intervals.
/// </summary>
public sealed class PrometheusProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;
    private readonly HttpClient _http;

    private PrometheusProcess(Process process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public static async Task<PrometheusProcess> StartAsync(int appPort)
    {
        var dir = Directory.CreateTempSubdirectory("coupons-prometheus-").FullName;
        File.Copy(Path.Combine(StackControl.RepoRoot, "deploy", "prometheus", "alerts.yml"), Path.Combine(dir, "alerts.yml"));
        await File.WriteAllTextAsync(Path.Combine(dir, "prometheus.yml"), $"""
            global:
              scrape_interval: 10s
              evaluation_interval: 10s
            rule_files: [alerts.yml]
            scrape_configs:
              - job_name: coupons-api
                static_configs:
                  - targets: ['127.0.0.1:{appPort}']
            """);
        var port = FreeTcpPort.Find();
        var start = new ProcessStartInfo("prometheus") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            $"--config.file={Path.Combine(dir, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(dir, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new PrometheusProcess(process, dir, port);
    }

    public Uri Address => _http.BaseAddress!;

    public Task WaitForTargetUpAsync(TimeSpan timeout) =>
        Eventually.TrueAsync(async () =>
        {
            try
            {
                using var json = JsonDocument.Parse(await _http.GetStringAsync("/api/v1/query?query=up%7Bjob%3D%22coupons-api%22%7D%20%3D%3D%201"));
                return json.RootElement.GetProperty("data").GetProperty("result").GetArrayLength() > 0;
            }
            catch (HttpRequestException)
            {
                return false; // Prometheus not listening yet
            }
        }, timeout, "Prometheus never scraped the app successfully");

    /// <summary>How many series an instant query returns at <paramref name="at"/>.</summary>
    public async Task<int> SeriesAtAsync(string query, DateTimeOffset at)
    {
        var time = (at.ToUnixTimeMilliseconds() / 1000.0).ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var json = JsonDocument.Parse(await _http.GetStringAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}&time={time}"));
        return json.RootElement.GetProperty("data").GetProperty("result").GetArrayLength();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
