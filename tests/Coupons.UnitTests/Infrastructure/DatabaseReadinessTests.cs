using System.Data.Common;
using Coupons.Infrastructure.Database;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Polly.Timeout;

namespace Coupons.UnitTests.Infrastructure;

/// <summary>
/// A database that never comes up stops the start after the deadline, not never: an orchestrator then restarts the
/// replica and says why, instead of a replica that hangs "starting" forever.
/// </summary>
public sealed class DatabaseReadinessTests
{
    /// <summary>On a simulated clock: the real one made this depend on how busy the machine was.</summary>
    [Fact]
    public async Task A_database_that_never_answers_is_given_up_on_after_the_deadline()
    {
        var time = new FakeTimeProvider();
        var attempts = 0;
        var pipeline = DatabaseReadiness.WaitingPipeline(NullLogger.Instance, deadline: TimeSpan.FromSeconds(1), time);
        var waiting = pipeline.ExecuteAsync(_ =>
        {
            Interlocked.Increment(ref attempts);
            throw new NotReady();
        }, CancellationToken.None).AsTask();

        time.Advance(TimeSpan.FromSeconds(2));

        // A pipeline that retries forever is still retrying: the deadline must end it, not a later attempt's.
        var finished = await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(20)));
        Assert.True(finished == waiting, $"still retrying 1 s past the deadline ({attempts} attempts): the deadline bounds each attempt, not the wait");
        await Assert.ThrowsAsync<TimeoutRejectedException>(() => waiting);
    }

    [Fact]
    public async Task A_database_that_is_not_ready_is_tried_again_with_backoff_until_the_deadline()
    {
        var time = new FakeTimeProvider();
        var attempts = 0;
        var pipeline = DatabaseReadiness.WaitingPipeline(NullLogger.Instance, time: time);
        var waiting = pipeline.ExecuteAsync(_ =>
        {
            Interlocked.Increment(ref attempts);
            throw new NotReady();
        }, CancellationToken.None).AsTask();

        // 20 simulated seconds in steps, well inside the 60 s deadline: 200 ms, 400 ms, 800 ms ... between attempts.
        for (var step = 0; step < 200 && Volatile.Read(ref attempts) < 4; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(1);
        }

        Assert.True(Volatile.Read(ref attempts) >= 4, $"{attempts} attempts in 20 simulated seconds");
        Assert.False(waiting.IsCompleted);
        time.Advance(DatabaseReadiness.StartupDeadline);
        await Assert.ThrowsAsync<TimeoutRejectedException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    private sealed class NotReady : DbException
    {
        public NotReady()
            : base("connection refused")
        {
        }
    }
}
