using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Coupons.AppHost;

/// <summary>
/// The topology's settings plus the places it writes to: the state folder and configs rendered from deploy/.
/// </summary>
public sealed class Topology
{
    private Topology(TopologyOptions options, string repositoryRoot)
    {
        Options = options;
        RepositoryRoot = repositoryRoot;
        StateDirectory = Path.GetFullPath(options.StateDirectory, repositoryRoot);
        Directory.CreateDirectory(StateDirectory);
    }

    public TopologyOptions Options { get; }

    public string RepositoryRoot { get; }

    public string StateDirectory { get; }

    public static Topology From(IDistributedApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(TopologyOptions.Section).Get<TopologyOptions>() ?? new TopologyOptions();
        if (options.AdminApiKey.Length < 32 || options.ReadAdminApiKey.Length < 32)
        {
            throw new InvalidOperationException("Topology:AdminApiKey and Topology:ReadAdminApiKey must be at least 32 bytes (the app refuses a shorter one in Production).");
        }

        // src/Coupons.AppHost -> the repository root, where deploy/ and the ignored state folder are.
        return new Topology(options, Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "..")));
    }

    /// <summary>
    /// The admin keys as files for couponctl (<c>--admin-key-file</c>, a context), readable by this user only, so no
    /// key needs to be typed or exported: <c>.topology/couponctl/admin-key</c> (operate) and <c>read-key</c> (read).
    /// </summary>
    public void WriteCouponctlKeyFiles()
    {
        foreach (var (file, key) in new[] { ("admin-key", Options.AdminApiKey), ("read-key", Options.ReadAdminApiKey) })
        {
            var path = Path.Combine(State("couponctl"), file);
            File.WriteAllText(path, key + "\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
    }

    /// <summary>A folder under the state folder, created if missing.</summary>
    public string State(params string[] parts)
    {
        var path = Path.Combine([StateDirectory, .. parts]);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>
    /// Writes a file from deploy/ into <paramref name="targetDirectory"/> with only the host names changed, so the
    /// topology serves the very files compose deploys. Fails if a rewritten text is no longer in the file.
    /// </summary>
    public string RenderDeployFile(string deployFile, string targetDirectory, params (string From, string To)[] replacements)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot, "deploy", deployFile));
        foreach (var (from, to) in replacements)
        {
            if (!text.Contains(from, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"deploy/{deployFile} no longer contains '{from}': update the topology's rewrite of it.");
            }

            text = text.Replace(from, to, StringComparison.Ordinal);
        }

        var target = Path.Combine(targetDirectory, Path.GetFileName(deployFile));
        File.WriteAllText(target, text);
        return target;
    }
}

/// <summary>
/// Health checks the AppHost runs so <c>WaitFor</c> waits for a port that answers, not a process that merely started.
/// </summary>
public static class TopologyHealthChecks
{
    public static IResourceBuilder<T> WithTcpHealthCheck<T>(this IResourceBuilder<T> resource, int port)
        where T : IResource
    {
        var name = $"{resource.Resource.Name}-tcp-{port}";
        resource.ApplicationBuilder.Services.AddHealthChecks().AddAsyncCheck(name, async ct =>
        {
            try
            {
                using var client = new TcpClient();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(1));
                await client.ConnectAsync("127.0.0.1", port, timeout.Token);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy($"127.0.0.1:{port} does not accept connections");
            }
        });
        return resource.WithHealthCheck(name);
    }

    public static IResourceBuilder<T> WithFileHealthCheck<T>(this IResourceBuilder<T> resource, string path)
        where T : IResource
    {
        var name = $"{resource.Resource.Name}-file";
        resource.ApplicationBuilder.Services.AddHealthChecks().AddCheck(name, () =>
            File.Exists(path) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy($"{path} not written yet"));
        return resource.WithHealthCheck(name);
    }
}
