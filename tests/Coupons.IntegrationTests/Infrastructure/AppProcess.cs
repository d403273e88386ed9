using System.Diagnostics;
using System.Globalization;

namespace Coupons.IntegrationTests.Infrastructure;

/// <summary>
/// The built app as a real OS process (Kestrel on a loopback port, the stack from <see cref="TestStack"/>),
/// for what an in-process host cannot show: kill -9, SIGTERM, a capped GC heap, resident memory.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private AppProcess(Process process, int port, StreamWriter log, string logPath)
    {
        LogPath = logPath;
        _process = process;
        _log = log;
        Port = port;
        Client = ClientFor(port);
        Admin = new HttpClient { BaseAddress = Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Admin.DefaultRequestHeaders.Add("X-Admin-Key", TestStack.AdminKey);
    }

    public int Port { get; }

    /// <summary>The process's stdout and stderr: its JSON log lines.</summary>
    public string LogPath { get; }

    public int Pid => _process.Id;

    public HttpClient Client { get; }

    public HttpClient Admin { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static string AppDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            return Path.Combine(StackControl.RepoRoot, "src", "Coupons.Api", "bin", configuration, "net10.0", "Coupons.Api.dll");
        }
    }

    /// <summary>As a setting's value: the test stack's setting is removed, as if never configured.</summary>
    public const string Unset = "\u0000unset";

    public static HttpClient ClientFor(int port) => new() { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };

    /// <param name="environment">Extra settings: configuration keys (':' separated) or plain environment
    /// variables.</param>
    public static async Task<AppProcess> StartAsync(int port, IReadOnlyDictionary<string, string>? environment = null, string name = "app")
    {
        var start = StartInfo(port, environment);
        var logPath = Path.Combine(StackControl.RepoRoot, ".test-infra", $"{name}-{port}-{DateTime.UtcNow:HHmmssfff}.log");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var app = new AppProcess(process, port, log, logPath);
        await Eventually.TrueAsync(async () =>
        {
            Assert.False(process.HasExited, $"app exited during start with {(process.HasExited ? process.ExitCode : 0)}; see {logPath}");
            try
            {
                using var ready = await app.Client.GetAsync("/health/ready");
                return ready.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false; // not listening yet
            }
        }, TimeSpan.FromSeconds(60), $"app did not become ready; see {logPath}");
        return app;
    }

    /// <summary>The app's command line with the test stack's settings, then <paramref name="environment"/>'s.</summary>
    private static ProcessStartInfo StartInfo(int port, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(AppDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(AppDll);
        var settings = TestStack.AppSettings();
        settings["Urls"] = $"http://127.0.0.1:{port}"; // overrides the default :8081
        settings["ASPNETCORE_ENVIRONMENT"] = "Testing";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            if (value == Unset)
            {
                settings.Remove(key);
            }
            else
            {
                settings[key] = value;
            }
        }

        foreach (var (key, value) in settings)
        {
            // Environment variables spell configuration sections with "__".
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return start;
    }

    /// <summary>
    /// Runs the app expecting it to exit on its own (a refused start, or a command such as <c>--migrate</c>); returns
    /// its exit code and standard error.
    /// </summary>
    public static async Task<Exited> RunToExitAsync(IReadOnlyDictionary<string, string> environment, TimeSpan timeout,
        params string[] arguments)
    {
        var start = StartInfo(FreeTcpPort.Find(), environment);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the app did not exit within {timeout.TotalSeconds} s; it started instead of refusing");
        }

        return new Exited(process.ExitCode, await stderr, await stdout);
    }

    /// <summary>How a run ended; deconstructs to (exit code, standard error), what most callers look at.</summary>
    public sealed record Exited(int ExitCode, string StandardError, string StandardOutput)
    {
        public void Deconstruct(out int exitCode, out string standardError) => (exitCode, standardError) = (ExitCode, StandardError);
    }

    /// <summary>kill -9: no shutdown hooks, no flush, in-flight work simply vanishes.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM, as an orchestrator sends before it removes a container.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private int _disposed;

    /// <summary>Peak resident set size so far (VmHWM), in MiB.</summary>
    public double PeakRssMiB() => ReadStatusKiB("VmHWM:") / 1024.0;

    public double RssMiB() => ReadStatusKiB("VmRSS:") / 1024.0;

    /// <summary>
    /// Stops the process if it runs. Twice is harmless: a test that disposes it mid-way also disposes it in a finally.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        Client.Dispose();
        Admin.Dispose();
        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    private long ReadStatusKiB(string field)
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
