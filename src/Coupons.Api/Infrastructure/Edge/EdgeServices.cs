using System.Net;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Coupons.Infrastructure.Edge;

public static class EdgeServices
{
    public static IServiceCollection AddEdge(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedOptions<EdgeOptions>(configuration, EdgeOptions.Section)
            .Validate(o => o.KnownProxies.All(p => IPAddress.TryParse(p, out _)), "Edge: every KnownProxies entry must be an IP address")
            .Validate(o => o.KnownNetworks.All(n => System.Net.IPNetwork.TryParse(n, out _)), "Edge: every KnownNetworks entry must be CIDR, e.g. 10.0.0.0/8")
            .Validate(o => o.ResumeBelowHeapPercent < o.ShedAtHeapPercent, "Edge: ResumeBelowHeapPercent must be below ShedAtHeapPercent");

        // Only configured proxies may name the client; the framework's default trust of loopback is dropped, so a
        // client on the same host cannot spoof either. With no proxy configured the headers are not read at all: the
        // middleware would take empty lists to mean "trust everyone".
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<EdgeOptions>>((forwarded, edge) =>
        {
            var trusted = edge.Value.KnownProxies.Count + edge.Value.KnownNetworks.Count > 0;
            forwarded.ForwardedHeaders = trusted ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto : ForwardedHeaders.None;
            forwarded.ForwardLimit = edge.Value.ForwardLimit;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
#pragma warning disable ASPDEPR005 // the obsolete list still holds its loopback default
            forwarded.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005
            edge.Value.KnownProxies.ForEach(p => forwarded.KnownProxies.Add(IPAddress.Parse(p)));
            edge.Value.KnownNetworks.ForEach(n => forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(n)));
        });

        services.AddOptions<KestrelServerOptions>().Configure<IOptions<EdgeOptions>>((kestrel, edge) =>
        {
            var limits = kestrel.Limits;
            var o = edge.Value;
            limits.MaxRequestBodySize = o.MaxPublicBodyBytes; // endpoints that take more say so (the admin API)
            limits.MaxRequestHeaderCount = o.MaxRequestHeaderCount;
            limits.MaxRequestHeadersTotalSize = o.MaxRequestHeadersTotalSize;
            limits.RequestHeadersTimeout = o.RequestHeadersTimeout;
            limits.KeepAliveTimeout = o.KeepAliveTimeout;
            limits.MinRequestBodyDataRate = new MinDataRate(o.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(5));
            limits.MaxConcurrentConnections = o.EffectiveMaxConnections;
        });
        services.AddOptions<SocketTransportOptions>().Configure<IOptions<EdgeOptions>>((sockets, edge) => sockets.Backlog = edge.Value.ListenBacklog);

        services.AddSingleton<ClientLimits>();
        services.AddSingleton<MemoryPressure>();
        services.AddRequestTimeouts();
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<EdgeOptions>>((timeouts, edge) =>
            timeouts.DefaultPolicy = new RequestTimeoutPolicy
            {
                Timeout = edge.Value.RequestTimeout,
                WriteTimeoutResponse = context => Problems.Create(StatusCodes.Status503ServiceUnavailable, ProblemCodes.RequestTimeout,
                    "Request timed out", "The request took too long; retry shortly.").ExecuteAsync(context),
            });
        return services;
    }

    /// <summary>
    /// The client's address, named by a trusted proxy (<see cref="EdgeOptions.KnownProxies"/>) or else the
    /// connection's.
    /// </summary>
    public static WebApplication UseForwardedClient(this WebApplication app)
    {
        app.UseForwardedHeaders();
        return app;
    }

    /// <summary>
    /// A body larger than the endpoint takes is refused with 413 before any of it is read, even by endpoints that never
    /// read one (Kestrel alone would only notice when reading). Runs after authorization, so an unauthenticated admin
    /// call hears 401 whatever its size.
    /// </summary>
    public static WebApplication UseBodyLimit(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
            var request = context.Request;
            // A chunked body has no length to check up front: public endpoints (whose bodies are a few hundred bytes at
            // most) refuse it whole and say to send a Content-Length.
            var publicLimit = context.RequestServices.GetRequiredService<IOptions<EdgeOptions>>().Value.MaxPublicBodyBytes;
            var chunked = request.ContentLength is null && request.Headers.TransferEncoding.Count > 0;
            var tooLarge = limit is { } max && (request.ContentLength > max || (max <= publicLimit && chunked));
            if (!tooLarge)
            {
                return next(context);
            }

            // The body stays unread, so the connection cannot carry another request: say so, or a client reusing it
            // would have its next request cut off.
            context.Response.Headers.Connection = "close";
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, ProblemCodes.PayloadTooLarge, "Payload too large",
                $"This endpoint takes at most {limit} bytes of body{(chunked ? ", sent with a Content-Length (not chunked)" : "")}.").ExecuteAsync(context);
        });
        return app;
    }
}
