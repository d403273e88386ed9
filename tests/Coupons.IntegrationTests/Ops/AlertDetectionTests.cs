using System.Diagnostics;
using System.Text.Json;
using Coupons.IntegrationTests.Faults;

namespace Coupons.IntegrationTests.Ops;

/// <summary>
/// Detection end to end, with a real Prometheus (Debian package) scraping a real app process every 10 s and
/// evaluating deploy/prometheus/alerts.yml: the seed's targets are P0 detected within 1 minute, P1 within 5.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class AlertDetectionTests
{
    [Fact]
    public async Task MariaDb_stopped_fires_a_P0_within_60_s_and_Kafka_down_a_P1_within_5_min_both_at_once()
    {
        await using var app = await AppProcess.StartAsync(FreeTcpPort.Find(), name: "alerting");
        await using var prometheus = await PrometheusProcess.StartAsync(app.Port);
        await prometheus.WaitForTargetUpAsync(TimeSpan.FromSeconds(60));

        // Both faults at once (each rule reads its own probe, so neither hides the other), each against its own target.
        var down = Stopwatch.StartNew();
        await StackControl.StopMySqlAsync();
        await StackControl.KafkaAsync("down all");
        try
        {
            async Task<(FiringAlert Alert, TimeSpan After)> FiringAfterAsync(string alert, TimeSpan timeout) =>
                (await prometheus.WaitForFiringAsync(alert, timeout), down.Elapsed);
            var p0 = FiringAfterAsync("CouponsMySQLDown", TimeSpan.FromSeconds(90));
            var p1 = FiringAfterAsync("CouponsKafkaUnreachable", TimeSpan.FromMinutes(6));
            var (mysqlAlert, mysqlAfter) = await p0;
            Assert.Equal("P0", mysqlAlert.Severity);
            Assert.True(mysqlAfter <= TimeSpan.FromSeconds(60), $"P0 CouponsMySQLDown fired after {mysqlAfter.TotalSeconds:F0} s");
            await Report($"MySQL stopped -> CouponsMySQLDown (P0) firing after {mysqlAfter.TotalSeconds:F0} s");
            var (kafkaAlert, kafkaAfter) = await p1;
            Assert.Equal("P1", kafkaAlert.Severity);
            Assert.True(kafkaAfter <= TimeSpan.FromMinutes(5), $"P1 CouponsKafkaUnreachable fired after {kafkaAfter.TotalSeconds:F0} s");
            await Report($"Kafka down -> CouponsKafkaUnreachable (P1) firing after {kafkaAfter.TotalSeconds:F0} s");
        }
        finally
        {
            await StackControl.KafkaAsync("up all");
            await StackControl.StartMySqlAsync();
        }
    }

    private static Task Report(string line) =>
        File.AppendAllTextAsync(Path.Combine(StackControl.RepoRoot, ".test-infra", "fault-outcomes.log"), $"{DateTime.UtcNow:O} alerting: {line}{Environment.NewLine}");
}

public sealed record FiringAlert(string Name, string Severity);

/// <summary>A real Prometheus on loopback with the repository's alert rules and the deploy config's intervals.</summary>
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

    public async Task<FiringAlert> WaitForFiringAsync(string alertName, TimeSpan timeout) =>
        (await Eventually.MatchesAsync(() => FiringAsync(alertName), alert => alert is not null, timeout, $"{alertName} did not fire"))!;

    private async Task<FiringAlert?> FiringAsync(string alertName)
    {
        using var json = JsonDocument.Parse(await _http.GetStringAsync("/api/v1/alerts"));
        foreach (var alert in json.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray())
        {
            var labels = alert.GetProperty("labels");
            if (labels.GetProperty("alertname").GetString() == alertName && alert.GetProperty("state").GetString() == "firing")
            {
                return new FiringAlert(alertName, labels.GetProperty("severity").GetString()!);
            }
        }

        return null;
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
