using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Coupons.Ops;

public static class Telemetry
{
    public const string ServiceName = "coupons-api";

    /// <summary>Prometheus metrics on /metrics always; OTLP traces only when an endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT).</summary>
    public static IServiceCollection AddCouponTelemetry(this IServiceCollection services, WebApplicationBuilder builder)
    {
        // JSON console logs (appsettings Logging:Console) carry the trace and span id of the request or message.
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        services.AddSingleton<CouponMetrics>();
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(CouponMetrics.MeterName, "MySqlConnector")
                .AddPrometheusExporter());
        if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.WithTracing(t => t.AddAspNetCoreInstrumentation().AddSource(CouponTracing.SourceName).AddOtlpExporter());
        }

        return services;
    }
}
