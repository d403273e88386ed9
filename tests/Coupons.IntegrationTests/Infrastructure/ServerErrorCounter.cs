using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Coupons.IntegrationTests.Infrastructure;

/// <summary>Records every response the server sent with a status of 500 or any 5xx other than 503.</summary>
public sealed class ServerErrorCounter
{
    private readonly ConcurrentQueue<string> _errors = new();

    public IReadOnlyCollection<string> Errors => _errors;

    public void Record(HttpContext context)
    {
        var status = context.Response.StatusCode;
        if (status >= 500 && status != StatusCodes.Status503ServiceUnavailable)
        {
            _errors.Enqueue($"{status} {context.Request.Method} {context.Request.Path}");
        }
    }
}

internal sealed class ServerErrorCounterStartupFilter(ServerErrorCounter counter) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            context.Response.OnCompleted(() =>
            {
                counter.Record(context);
                return Task.CompletedTask;
            });
            await nextMiddleware(context);
        });
        next(app);
    };
}
