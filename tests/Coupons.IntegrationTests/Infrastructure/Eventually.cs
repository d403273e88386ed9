namespace Coupons.IntegrationTests.Infrastructure;

/// <summary>
/// Polls for a condition with a deadline: the one way these tests wait, never a fixed sleep hoping a race resolves.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Waits until <paramref name="condition"/> holds; fails with <paramref name="because"/> after
    /// <paramref name="timeout"/>.
    /// </summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {timeout.TotalSeconds:F0} s: {because}");
            await Task.Delay(Every);
        }
    }

    /// <summary>
    /// Waits until <paramref name="read"/> gives a value that <paramref name="accept"/> takes, and returns it.
    /// </summary>
    public static async Task<T> MatchesAsync<T>(Func<Task<T>> read, Func<T, bool> accept, TimeSpan timeout, string because)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await read();
            if (accept(value))
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, $"not within {timeout.TotalSeconds:F0} s: {because} (last: {value})");
            await Task.Delay(Every);
        }
    }
}
