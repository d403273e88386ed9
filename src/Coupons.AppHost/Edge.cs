namespace Coupons.AppHost;

/// <summary>
/// nginx on :8081 in front of both replicas, serving deploy/nginx.conf with only the addresses rewritten.
/// </summary>
public static class Edge
{
    public static IResourceBuilder<ExecutableResource> AddNginx(this IDistributedApplicationBuilder builder, Topology topology,
        IResourceBuilder<ProjectResource>[] replicas)
    {
        var o = topology.Options;
        var dir = topology.State("nginx");
        topology.State("nginx", "logs");
        (string From, string To)[] rewrites =
        [
            ("ecommerce-app-1:8081", $"127.0.0.1:{o.AppPort}"),
            ("ecommerce-app-2:8081", $"127.0.0.1:{o.AppPort + 1}"),
            ("listen 8081 ", $"listen 127.0.0.1:{o.NginxPort} "),
        ];
        if (o.LoadTest)
        {
            // One load generator is one client address: the per-address limits would measure themselves.
            rewrites = [.. rewrites, ("rate=100r/s", "rate=1000000r/s"), ("rate=200r/s", "rate=1000000r/s"),
                ("burst=200 ", "burst=100000 "), ("burst=400 ", "burst=100000 ")];
        }

        var config = topology.RenderDeployFile("nginx.conf", dir, rewrites);
        var nginx = builder.AddExecutable("nginx", DataStores.Binary("nginx"), dir,
                "-p", dir, "-c", config, "-e", Path.Combine(dir, "logs", "error.log"),
                "-g", $"daemon off; pid {Path.Combine(dir, "nginx.pid")};")
            .WithHttpEndpoint(port: o.NginxPort, isProxied: false)
            .WithHttpHealthCheck("/health/ready");
        foreach (var replica in replicas)
        {
            nginx.WaitFor(replica);
        }

        return nginx;
    }
}
