using Coupons.Infrastructure.Http;
using Microsoft.AspNetCore.Http;

namespace Coupons.UnitTests.Infrastructure;

public sealed class DependencyExceptionHandlerTests
{
    [Fact]
    public void Dependency_failures_are_503_with_the_dependency_named()
    {
        Assert.Equal((StatusCodes.Status503ServiceUnavailable, ProblemCodes.RedisUnavailable),
            DependencyExceptionHandler.Classify(new StackExchange.Redis.RedisException("connection lost")));
        Assert.Equal((StatusCodes.Status503ServiceUnavailable, ProblemCodes.DatabaseUnavailable),
            DependencyExceptionHandler.Classify(new Microsoft.Data.Sqlite.SqliteException("locked", 5)));
        Assert.Equal((StatusCodes.Status503ServiceUnavailable, ProblemCodes.DependencyUnavailable),
            DependencyExceptionHandler.Classify(new TimeoutException()));
    }

    [Fact]
    public void Programming_errors_stay_500()
    {
        Assert.Equal((StatusCodes.Status500InternalServerError, ProblemCodes.InternalError),
            DependencyExceptionHandler.Classify(new NullReferenceException()));
    }

    [Fact]
    public void Unreadable_requests_keep_their_4xx_status()
    {
        Assert.Equal((StatusCodes.Status400BadRequest, ProblemCodes.InvalidRequest),
            DependencyExceptionHandler.Classify(new BadHttpRequestException("bad json", StatusCodes.Status400BadRequest)));
        Assert.Equal((StatusCodes.Status413PayloadTooLarge, ProblemCodes.InvalidRequest),
            DependencyExceptionHandler.Classify(new BadHttpRequestException("too large", StatusCodes.Status413PayloadTooLarge)));
    }
}
