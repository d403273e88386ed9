using System.Data.Common;
using Polly;
using Polly.Retry;

namespace Coupons.Infrastructure.Database;

/// <summary>
/// A database that is still starting (a container beside this one, a failover) is waited for with backoff, up to
/// <see cref="StartupDeadline"/>, before the first thing done with it at start: the schema step.
/// </summary>
public static partial class DatabaseReadiness
{
    public static readonly TimeSpan StartupDeadline = TimeSpan.FromSeconds(60);

    /// <remarks>
    /// The timeout is added first, so it is the outer strategy and bounds the whole wait. Added after the retry (as
    /// before 2026-12-07) it bounded each attempt, and a database that never came up kept the replica "starting"
    /// forever.
    /// </remarks>
    public static ResiliencePipeline WaitingPipeline(ILogger logger, TimeSpan? deadline = null, TimeProvider? time = null) =>
        new ResiliencePipelineBuilder { TimeProvider = time ?? TimeProvider.System }
        .AddTimeout(deadline ?? StartupDeadline)
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<DbException>(),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromMilliseconds(200),
            MaxDelay = TimeSpan.FromSeconds(5),
            OnRetry = args =>
            {
                DatabaseNotReady(logger, args.AttemptNumber, args.Outcome.Exception?.Message ?? "");
                return ValueTask.CompletedTask;
            },
        })
        .Build();

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Database not ready (attempt {Attempt}): {Reason}")]
    private static partial void DatabaseNotReady(ILogger logger, int attempt, string reason);
}
