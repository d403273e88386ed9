using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Coupons.Consumer;
using Coupons.Ops;

namespace Coupons.Issuance;

/// <summary>One open status stream: the request it waits on, whose it is, and its decision once there is one.</summary>
public sealed class RequestWatch(long couponId, Guid requestId, long owner)
{
    private readonly TaskCompletionSource<IssueDecision> _decided = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long CouponId => couponId;

    public Guid RequestId => requestId;

    public long Owner => owner;

    public Task<IssueDecision> Decided => _decided.Task;

    internal void Decide(IssueDecision decision) => _decided.TrySetResult(decision);
}

/// <summary>Why a status stream was not opened.</summary>
public enum WatchRefusal
{
    None,

    /// <summary>The person already has a stream open on this instance.</summary>
    PersonHasOne,

    /// <summary>The instance has <see cref="IssuanceOptions.MaxStatusStreams"/> open.</summary>
    Full,
}

/// <summary>
/// The status streams open on this instance, at most one per person and <see cref="IssuanceOptions.MaxStatusStreams"/>
/// in all, so a crowd waiting for its outcome costs bounded memory and one database query per round
/// (<see cref="RequestWatchLoop"/>), not one per person.
/// </summary>
public sealed class RequestWatches
{
    private readonly ConcurrentDictionary<long, RequestWatch> _byOwner = new();
    private readonly int _max;
    private int _open;

    public RequestWatches(IOptions<IssuanceOptions> options, CouponMetrics metrics)
    {
        _max = options.Value.MaxStatusStreams;
        metrics.Gauge<int>("coupons.status.streams", () => [new Measurement<int>(Open)], description:
            "Status streams (a request's outcome pushed as server-sent events) open on this instance.");
    }

    public int Open => Volatile.Read(ref _open);

    public (RequestWatch? Watch, WatchRefusal Refusal) TryOpen(long couponId, Guid requestId, long owner)
    {
        if (Interlocked.Increment(ref _open) > _max)
        {
            Interlocked.Decrement(ref _open);
            return (null, WatchRefusal.Full);
        }

        var watch = new RequestWatch(couponId, requestId, owner);
        if (!_byOwner.TryAdd(owner, watch))
        {
            Interlocked.Decrement(ref _open);
            return (null, WatchRefusal.PersonHasOne);
        }

        return (watch, WatchRefusal.None);
    }

    public void Close(RequestWatch watch)
    {
        if (_byOwner.TryRemove(new KeyValuePair<long, RequestWatch>(watch.Owner, watch)))
        {
            Interlocked.Decrement(ref _open);
        }
    }

    /// <summary>The open streams whose request is not decided yet.</summary>
    public IReadOnlyList<RequestWatch> Waiting() => _byOwner.Values.Where(w => !w.Decided.IsCompleted).ToList();
}
