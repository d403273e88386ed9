namespace Coupons.Admin;

/// <summary>
/// The admin API (and <c>/metrics</c>, <c>/openapi</c> and <c>/actuator/info</c>) on a listener of its own, so the
/// public one behind nginx never serves them (<see cref="AdminOptions.Url"/>).
/// </summary>
public static class AdminListener
{
    public const string MetricsPath = "/metrics";

    /// <summary>The API document describes the admin API too: served where the admin API is.</summary>
    private const string ApiDocumentPrefix = "/openapi";

    /// <summary>Adds the admin URL to the ones Kestrel listens on.</summary>
    public static WebApplicationBuilder AddAdminListener(this WebApplicationBuilder builder)
    {
        var url = builder.Configuration[$"{AdminOptions.Section}:{nameof(AdminOptions.Url)}"];
        if (!string.IsNullOrEmpty(url))
        {
            var urls = builder.Configuration["urls"] ?? "http://localhost:5000";
            builder.WebHost.UseUrls($"{urls};{url}");
        }

        return builder;
    }

    /// <summary>With an admin listener, admin calls and scrapes that arrive on another port are answered 404.</summary>
    public static WebApplication UseAdminListener(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<AdminOptions>>().Value.Port is not { } port)
        {
            return app;
        }

        app.Use((context, next) =>
        {
            var adminOnly = context.GetEndpoint()?.Metadata.GetMetadata<AdminAudited>() is not null
                || context.Request.Path.StartsWithSegments(MetricsPath, StringComparison.OrdinalIgnoreCase)
                || context.Request.Path.StartsWithSegments(ApiDocumentPrefix, StringComparison.OrdinalIgnoreCase)
                || context.Request.Path.StartsWithSegments(Ops.BuildInfo.Path, StringComparison.OrdinalIgnoreCase);
            return adminOnly && context.Connection.LocalPort != port
                ? Problems.NotFound(ProblemCodes.NotFound, "Not found.").ExecuteAsync(context)
                : next(context);
        });
        return app;
    }
}
