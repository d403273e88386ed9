namespace Coupons.Infrastructure;

/// <summary>
/// One round of a background loop (gate checks, reconciliation). A dependency being down is expected and silent: the
/// next round tries again. Anything else is a bug, logged as an error; the loop still goes on, because the default
/// for a failed BackgroundService is to stop the whole host (with exit code 0, so not even a restart policy notices).
/// </summary>
internal static partial class BackgroundRound
{
    public static async Task RunAsync(Func<CancellationToken, Task> round, Func<Exception, bool> dependencyDown, ILogger logger, string loop, CancellationToken ct)
    {
        try
        {
            await round(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (dependencyDown(ex))
        {
            // Nothing to do until the dependency is back.
        }
        catch (Exception ex)
        {
            RoundFailed(logger, loop, ex);
        }
    }

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "{Loop} round failed; the next round runs as scheduled")]
    private static partial void RoundFailed(ILogger logger, string loop, Exception exception);
}
