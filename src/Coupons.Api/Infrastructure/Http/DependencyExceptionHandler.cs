using System.Data.Common;
using Confluent.Kafka;
using Microsoft.AspNetCore.Diagnostics;
using StackExchange.Redis;

namespace Coupons.Infrastructure.Http;

/// <summary>
/// Last line of defence: an exception that escaped a handler becomes problem details. A failing dependency
/// is a 503 the client may retry; anything else is a 500 with no exception text (the log has it).
/// </summary>
public sealed partial class DependencyExceptionHandler(ILogger<DependencyExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        var (status, code) = Classify(exception);
        if (status == StatusCodes.Status429TooManyRequests)
        {
            await Problems.Create(status, code, "Too many requests", "The service is at capacity; retry shortly.").ExecuteAsync(context);
            return true;
        }

        if (status < StatusCodes.Status500InternalServerError)
        {
            // Unreadable body, wrong content type, body too large: the client's mistake, said plainly.
            await Problems.Create(status, code, "Invalid request", "The request could not be read: check the JSON body and Content-Type.").ExecuteAsync(context);
            return true;
        }

        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            DependencyFailed(logger, code, context.Request.Path, exception.GetType().Name, exception.Message);
        }
        else
        {
            Unhandled(logger, context.Request.Path, exception);
        }

        var result = status == StatusCodes.Status503ServiceUnavailable
            ? Problems.Unavailable(code, "A dependency is unavailable; retry shortly.")
            : Problems.Create(status, code, "Internal error", "The request could not be processed.");
        await result.ExecuteAsync(context);
        return true;
    }

    public static (int Status, string Code) Classify(Exception exception) => exception switch
    {
        BadHttpRequestException bad => (bad.StatusCode, ProblemCodes.InvalidRequest),
        BulkheadFullException => (StatusCodes.Status429TooManyRequests, ProblemCodes.RateLimited),
        RedisException or RedisTimeoutException or RedisConnectionException => (StatusCodes.Status503ServiceUnavailable, ProblemCodes.RedisUnavailable),
        KafkaException => (StatusCodes.Status503ServiceUnavailable, ProblemCodes.KafkaUnavailable),
        DbException => (StatusCodes.Status503ServiceUnavailable, ProblemCodes.DatabaseUnavailable),
        TimeoutException or OperationCanceledException => (StatusCodes.Status503ServiceUnavailable, ProblemCodes.DependencyUnavailable),
        InvalidOperationException { InnerException: DbException } => (StatusCodes.Status503ServiceUnavailable, ProblemCodes.DatabaseUnavailable),
        _ => (StatusCodes.Status500InternalServerError, ProblemCodes.InternalError),
    };

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Dependency failure {Code} on {Path}: {ExceptionType} {Reason}")]
    private static partial void DependencyFailed(ILogger logger, string code, string path, string exceptionType, string reason);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Unhandled exception on {Path}")]
    private static partial void Unhandled(ILogger logger, string path, Exception exception);
}
