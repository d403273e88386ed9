using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using Coupons.Consumer;
using Coupons.Ops;

namespace Coupons.Issuance;

/// <summary>One open status stream: the request it waits on, whose it is, and its decision once there is one.</summary>
public sealed class RequestWatch(long couponId, Guid requestId, long owner)
{
    private readonly TaskCompletionSource<IssueDecision> _decided = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _superseded = new();

    public long CouponId => couponId;

    public Guid RequestId => requestId;

    public long Owner => owner;

    public Task<IssueDecision> Decided => _decided.Task;

    /// <summary>Cancelled when the same person opens a newer stream: this one ends.</summary>
    public CancellationToken Superseded => _superseded.Token;

    internal void Decide(IssueDecision decision) => _decided.TrySetResult(decision);

    internal void Supersede() => _superseded.Cancel();
}

/// <summary>
/// The status streams open on this instance: one per person (a newer one replaces the older: a reload, another tab,
/// a phone that changed networks before the old connection was seen dead) and
/// <see cref="IssuanceOptions.MaxStatusStreams"/> in all, so a crowd waiting for its outcome costs bounded memory and
/// one database query per 500 of them per round (<see cref="RequestWatchLoop"/>), not one per person. Opening one looks
/// the request up first; those lookups have a bulkhead of their own, the size of the reads' one, since the stream
/// itself cannot hold a reads permit for minutes.
/// </summary>
public sealed class RequestWatches : IDisposable
{
    private readonly ConcurrentDictionary<long, RequestWatch> _byOwner = new();
    private readonly int _max;
    private int _open;

    public RequestWatches(IOptions<IssuanceOptions> options, CouponMetrics metrics)
    {
        var o = options.Value;
        _max = o.MaxStatusStreams;
        Lookups = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = o.MaxConcurrentReads,
            QueueLimit = o.MaxQueuedReads,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        metrics.Gauge<int>("coupons.status.streams", () => [new Measurement<int>(Open)], description:
            "Status streams (a request's outcome pushed as server-sent events) open on this instance.");
    }

    public int Open => Volatile.Read(ref _open);

    /// <summary>The bulkhead of the lookups that open streams.</summary>
    public RateLimiter Lookups { get; }

    /// <returns>The new watch, or null when the instance has <see cref="IssuanceOptions.MaxStatusStreams"/>
    /// open.</returns>
    public RequestWatch? TryOpen(long couponId, Guid requestId, long owner)
    {
        var watch = new RequestWatch(couponId, requestId, owner);
        while (true)
        {
            if (_byOwner.TryGetValue(owner, out var older))
            {
                // The person's newer stream takes the older one's place (and count): the older one ends.
                if (_byOwner.TryUpdate(owner, watch, older))
                {
                    older.Supersede();
                    return watch;
                }

                continue;
            }

            if (Interlocked.Increment(ref _open) > _max)
            {
                Interlocked.Decrement(ref _open);
                return null;
            }

            if (_byOwner.TryAdd(owner, watch))
            {
                return watch;
            }

            Interlocked.Decrement(ref _open);
        }
    }

    /// <summary>Ends a stream's registration (a superseded one has already given its place away).</summary>
    public void Close(RequestWatch watch)
    {
        if (_byOwner.TryRemove(new KeyValuePair<long, RequestWatch>(watch.Owner, watch)))
        {
            Interlocked.Decrement(ref _open);
        }
    }

    /// <summary>The open streams whose request is not decided yet.</summary>
    public IReadOnlyList<RequestWatch> Waiting() =>
        Open == 0 ? [] : _byOwner.Values.Where(w => !w.Decided.IsCompleted).ToList(); // .Values takes every lock: not when idle

    public void Dispose() => Lookups.Dispose();
}
