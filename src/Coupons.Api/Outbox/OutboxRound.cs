namespace Coupons.Outbox;

/// <summary>What one relay round sends of a page of waiting events (pure: unit-tested).</summary>
public static class OutboxRound
{
    /// <summary>
    /// The first event of each key on the page, in the page's (id) order: a key's later events wait until this one is
    /// acknowledged, so they can never reach the topic before it, even when its send fails and is retried.
    /// </summary>
    public static IReadOnlyList<T> Choose<T>(IReadOnlyList<T> page, Func<T, string> key) => page.DistinctBy(key, StringComparer.Ordinal).ToList();
}

/// <summary>
/// Keys (users) whose last send failed, left out of the relay's pages for <see cref="Pause"/>: a partition that is down
/// cannot fill every page with its own users' events and hold back everyone else's. Bounded: the most recent
/// <see cref="MaxKeys"/> failures.
/// </summary>
public sealed class OutboxBackoff
{
    public const int MaxKeys = 1_000;

    public static readonly TimeSpan Pause = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, DateTime> _until = new(StringComparer.Ordinal);

    public void Hold(string key, DateTime now)
    {
        _until[key] = now + Pause;
        if (_until.Count > MaxKeys)
        {
            _until.Remove(_until.MinBy(kv => kv.Value).Key);
        }
    }

    public void Clear(string key) => _until.Remove(key);

    /// <summary>The keys still held at <paramref name="now"/> (expired ones are forgotten).</summary>
    public IReadOnlyList<string> Blocked(DateTime now)
    {
        foreach (var expired in _until.Where(kv => kv.Value <= now).Select(kv => kv.Key).ToList())
        {
            _until.Remove(expired);
        }

        return [.. _until.Keys];
    }
}
