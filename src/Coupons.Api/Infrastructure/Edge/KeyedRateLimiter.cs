using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace Coupons.Infrastructure.Edge;

/// <summary>
/// A limit per key (a person's canonical publicId, a client address): <c>perSecond</c> calls a second with a burst of
/// the same size (GCRA, the token bucket's equivalent kept as one timestamp per user).
/// <para>
/// Why not <see cref="PartitionedRateLimiter.Create{TResource, TPartitionKey}"/> with a token bucket per user: its
/// heartbeat visits every partition ten times a second under a lock. A sale has hundreds of thousands of distinct
/// users, and the profile of a 15,000 clicks/s run showed that heartbeat, its lock contention and the per-user limiter
/// objects as the largest cost on the FCFS path. Here a click is one dictionary read and one compare-and-swap, and a
/// sweep drops users whose allowance is full again.
/// </para>
/// <para>
/// Memory is bounded whatever ids are sent: keys are validated, canonical ids (at most 36 characters) and at most
/// <c>maxTrackedUsers</c> are tracked. When the table is full, a sweep makes room (at most once per refill interval, so
/// a flood cannot make every request scan the table); a user still not tracked after that is refused with 429 until
/// room frees up. That only happens under a flood of distinct ids far beyond any sale's click rate (with 5 clicks/s an
/// entry is forgotten about 0.2 s after its click), and it refuses newcomers rather than letting the flood grow the
/// heap.
/// </para>
/// </summary>
public sealed class KeyedRateLimiter : PartitionedRateLimiter<HttpContext>
{
    private static readonly TimeSpan SweepPeriod = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan FullRetryAfter = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, long> _nextFreeAt = new(StringComparer.Ordinal);
    private readonly Func<HttpContext, string?> _userOf;
    private readonly TimeProvider _clock;
    private readonly long _interval;
    private readonly long _tolerance;
    private readonly int _maxTracked;
    private readonly ITimer _sweeper;
    private int _tracked;
    private long _lastPressureSweep;

    /// <param name="perSecond">Clicks a second per user, and the burst allowed from rest.</param>
    /// <param name="userOf">The user a request counts against; null for requests this limit does not apply to.</param>
    /// <param name="clock">Time source (a fake one in tests).</param>
    /// <param name="maxTrackedUsers">Most users tracked at once; see the remarks on memory.</param>
    public KeyedRateLimiter(int perSecond, Func<HttpContext, string?> userOf, TimeProvider clock, int maxTrackedUsers = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perSecond, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTrackedUsers, 1);
        _maxTracked = maxTrackedUsers;
        _userOf = userOf;
        _clock = clock;
        _interval = clock.TimestampFrequency / perSecond;
        _tolerance = _interval * perSecond;
        _sweeper = clock.CreateTimer(_ => Sweep(), null, SweepPeriod, SweepPeriod);
    }

    /// <summary>Users with a click still being paid off (for tests and diagnostics).</summary>
    public int TrackedUsers => Volatile.Read(ref _tracked);

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => null;

    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount)
    {
        var user = _userOf(resource);
        return user is null || permitCount == 0 ? Lease.Granted : Acquire(user, permitCount);
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(resource, permitCount)); // no queueing: an over-eager user is told to come back

    private Lease Acquire(string user, int permitCount)
    {
        var now = _clock.GetTimestamp();
        while (true)
        {
            var known = _nextFreeAt.TryGetValue(user, out var freeAt);
            var next = Math.Max(freeAt, now) + _interval * permitCount;
            if (next - now > _tolerance)
            {
                return Lease.Refused(TimeSpan.FromSeconds((double)(next - _tolerance - now) / _clock.TimestampFrequency));
            }

            if (!known && !HasRoom(now))
            {
                return Lease.Refused(FullRetryAfter);
            }

            if (known ? _nextFreeAt.TryUpdate(user, next, freeAt) : TryTrack(user, next))
            {
                return Lease.Granted;
            }

            // Another click of the same user won the race; decide again on its result.
        }
    }

    private bool TryTrack(string user, long next)
    {
        if (!_nextFreeAt.TryAdd(user, next))
        {
            return false;
        }

        Interlocked.Increment(ref _tracked);
        return true;
    }

    /// <summary>Room for one more user, sweeping first when full (at most once per refill interval).</summary>
    private bool HasRoom(long now)
    {
        if (Volatile.Read(ref _tracked) < _maxTracked)
        {
            return true;
        }

        var last = Interlocked.Read(ref _lastPressureSweep);
        if (now - last >= _interval && Interlocked.CompareExchange(ref _lastPressureSweep, now, last) == last)
        {
            Sweep();
        }

        return Volatile.Read(ref _tracked) < _maxTracked;
    }

    /// <summary>Forgets users whose allowance is full again; they start over exactly as if never seen.</summary>
    internal void Sweep()
    {
        var now = _clock.GetTimestamp();
        foreach (var entry in _nextFreeAt)
        {
            if (entry.Value <= now && _nextFreeAt.TryRemove(entry)) // only if unchanged since read
            {
                Interlocked.Decrement(ref _tracked);
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sweeper.Dispose();
        }

        base.Dispose(disposing);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await _sweeper.DisposeAsync();
        await base.DisposeAsyncCore();
    }

    private sealed class Lease(bool isAcquired, TimeSpan retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, TimeSpan.Zero);

        public static Lease Refused(TimeSpan retryAfter) => new(false, retryAfter);

        public override bool IsAcquired => isAcquired;

        public override IEnumerable<string> MetadataNames => isAcquired ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = !isAcquired && metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
