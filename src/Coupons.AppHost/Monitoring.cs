namespace Coupons.AppHost;

/// <summary>
/// Prometheus with the repo's rules scraping both replicas' admin ports, Alertmanager with the repo's routing, and a
/// receiver standing in for the pager/chat bridges, so an alert's whole path can be watched (and tested) here.
/// </summary>
public static class Monitoring
{
    public static void AddMonitoring(this IDistributedApplicationBuilder builder, Topology topology, IResourceBuilder<ProjectResource>[] replicas)
    {
        var o = topology.Options;
        var receiver = builder.AddProject<Projects.Coupons_AlertReceiver>("alert-receiver", launchProfileName: null)
            .WithHttpEndpoint(port: o.AlertReceiverPort, isProxied: false)
            .WithHttpHealthCheck("/notifications");

        var alertmanagerDir = topology.State("alertmanager");
        var alertmanagerConfig = topology.RenderDeployFile(Path.Combine("alertmanager", "alertmanager.yml"), alertmanagerDir,
            ("http://alert-bridge.invalid", $"http://127.0.0.1:{o.AlertReceiverPort}"));
        var alertmanager = builder.AddExecutable("alertmanager", "prometheus-alertmanager", alertmanagerDir,
                $"--config.file={alertmanagerConfig}", $"--storage.path={topology.State("alertmanager", "data")}",
                $"--web.listen-address=127.0.0.1:{o.AlertmanagerPort}", "--cluster.listen-address=")
            .WithHttpEndpoint(port: o.AlertmanagerPort, isProxied: false)
            .WithHttpHealthCheck("/-/ready")
            .WaitFor(receiver);

        var prometheusDir = topology.State("prometheus");
        var prometheusConfig = topology.RenderDeployFile(Path.Combine("prometheus", "prometheus.yml"), prometheusDir,
            ("'alertmanager:9093'", $"'127.0.0.1:{o.AlertmanagerPort}'"),
            ("\"ecommerce-app-1:9081\", \"ecommerce-app-2:9081\"", $"\"127.0.0.1:{o.AdminPort}\", \"127.0.0.1:{o.AdminPort + 1}\""),
            ("'localhost:9090'", $"'127.0.0.1:{o.PrometheusPort}'"));
        topology.RenderDeployFile(Path.Combine("prometheus", "alerts.yml"), prometheusDir);
        var prometheus = builder.AddExecutable("prometheus", "prometheus", prometheusDir,
                $"--config.file={prometheusConfig}", $"--storage.tsdb.path={topology.State("prometheus", "data")}",
                $"--web.listen-address=127.0.0.1:{o.PrometheusPort}")
            .WithHttpEndpoint(port: o.PrometheusPort, isProxied: false)
            .WithHttpHealthCheck("/-/ready")
            .WaitFor(alertmanager);
        foreach (var replica in replicas)
        {
            prometheus.WaitFor(replica);
        }
    }
}
