using System.Data.Common;
using Coupons.Infrastructure.Database;
using Microsoft.Extensions.Logging.Abstractions;
using Polly.Timeout;

namespace Coupons.UnitTests.Infrastructure;

/// <summary>
/// A database that never comes up stops the start after the deadline, not never: an orchestrator then restarts the
/// replica and says why, instead of a replica that hangs "starting" forever.
/// </summary>
public sealed class DatabaseReadinessTests
{
    [Fact]
    public async Task A_database_that_never_answers_is_given_up_on_after_the_deadline()
    {
        var attempts = 0;
        var pipeline = DatabaseReadiness.WaitingPipeline(NullLogger.Instance, deadline: TimeSpan.FromSeconds(1));

        var waiting = pipeline.ExecuteAsync(_ =>
        {
            attempts++;
            throw new NotReady();
        }, CancellationToken.None).AsTask();

        // Generous: the deadline is 1 s; a pipeline that retries forever is still retrying after 20.
        var finished = await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(20)));
        Assert.True(finished == waiting, $"still retrying after 20 s ({attempts} attempts): the deadline bounds each attempt, not the wait");
        await Assert.ThrowsAsync<TimeoutRejectedException>(() => waiting);
        Assert.True(attempts > 1, "a database that is not ready is retried before the deadline");
    }

    private sealed class NotReady : DbException
    {
        public NotReady()
            : base("connection refused")
        {
        }
    }
}
