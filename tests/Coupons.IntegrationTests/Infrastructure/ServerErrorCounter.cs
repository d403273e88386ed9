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
        // Recorded before the answer leaves this outermost middleware (not in OnCompleted, which may run after the
        // client has its answer and the test has moved on): a 5xx belongs to the test that was running when it was
        // answered.
        app.Use(async (context, nextMiddleware) =>
        {
            try
            {
                await nextMiddleware(context);
            }
            catch
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                throw;
            }
            finally
            {
                counter.Record(context);
            }
        });
        next(app);
    };
}
