using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Coupons.Ops;

public static class OpsServices
{
    /// <summary>
    /// Prometheus metrics on /metrics always; OTLP traces, logs and metrics only when an endpoint is configured
    /// (OTEL_EXPORTER_OTLP_ENDPOINT). The exporters batch and drop: a dead APM never slows a click.
    /// </summary>
    public static IServiceCollection AddOps(this IServiceCollection services, WebApplicationBuilder builder)
    {
        // JSON console logs (appsettings Logging:Console) carry the trace and span id of the request or message.
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        services.AddSingleton<CouponMetrics>();
        services.AddSingleton<GcPauses>();
        services.AddHostedService(sp => sp.GetRequiredService<GcPauses>());
        var otel = services.AddOpenTelemetry()
            // An orchestrator that names each replica (Aspire sets OTEL_SERVICE_NAME=app-1, app-2) is believed, so the
            // APM shows which replica served a request; otherwise every replica is coupons-api.
            .ConfigureResource(r =>
            {
                if (string.IsNullOrEmpty(builder.Configuration["OTEL_SERVICE_NAME"]))
                {
                    r.AddService(BuildInfo.ServiceName, serviceVersion: BuildInfo.Version);
                }
                else
                {
                    r.AddAttributes([new("service.version", BuildInfo.Version)]);
                }
            })
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(CouponMetrics.MeterName, "MySqlConnector")
                .AddPrometheusExporter());
        if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.WithTracing(t => t.AddAspNetCoreInstrumentation().AddSource(CouponTracing.SourceName).AddOtlpExporter())
                .WithLogging(l => l.AddOtlpExporter())
                .WithMetrics(m => m.AddOtlpExporter());
        }

        return services;
    }
}
