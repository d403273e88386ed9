namespace Coupons.Infrastructure;

internal static class PeriodicTimerExtensions
{
    /// <summary>
    /// Waits for the next tick; false once the host is stopping (instead of throwing from a background loop).
    /// </summary>
    public static async Task<bool> TickAsync(this PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
