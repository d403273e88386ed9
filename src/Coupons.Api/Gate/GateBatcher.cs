using System.Threading.Channels;
using Coupons.Infrastructure.Redis;
using Coupons.Ops;
using StackExchange.Redis;

namespace Coupons.Gate;

/// <summary>
/// Coalesces concurrent clicks into one gate script call. Redis spends most of a lone EVALSHA on the command and
/// its socket round trip, not on the decision, so at flash-sale rates a call per click made Redis and the Redis hop
/// the costliest part of a click. Clicks queue here while <see cref="GateOptions.CallsInFlight"/> calls are
/// out; the next call takes everything queued (up to <see cref="GateOptions.MaxBatch"/>), and take.lua
/// decides them one by one in arrival order, so first come is still first served. An idle instance sends a click
/// at once. A batch goes through the Redis circuit as one call: if it fails, every click in it fails the same way
/// (503), and a retried batch is safe because each click keeps its request id (take.lua answers "duplicate" with
/// the click's own id, which <see cref="FcfsIssuer"/> reads as accepted).
/// </summary>
public sealed class GateBatcher : IAsyncDisposable
{
    private readonly Channel<PendingClick> _queue =
        Channel.CreateUnbounded<PendingClick>(new UnboundedChannelOptions { SingleReader = true });

    private readonly StockGate _gate;
    private readonly RedisCircuit _circuit;
    private readonly CouponMetrics _metrics;
    private readonly UncertainTakesLoop _uncertain;
    private readonly int _maxBatch;
    private readonly int _callsInFlight;
    private readonly SemaphoreSlim _callSlots;
    private readonly Task _sender;

    public GateBatcher(StockGate gate, RedisCircuit circuit, CouponMetrics metrics, UncertainTakesLoop uncertain, IOptions<GateOptions> options)
    {
        (_gate, _circuit, _metrics, _uncertain) = (gate, circuit, metrics, uncertain);
        (_maxBatch, _callsInFlight) = (options.Value.MaxBatch, options.Value.CallsInFlight);
        _callSlots = new SemaphoreSlim(_callsInFlight);
        _sender = Task.Run(SendBatchesAsync);
    }

    /// <summary>The gate's decision for one click; throws what the Redis circuit threw for its batch.</summary>
    public Task<GateDecision> TakeAsync(GateClick click)
    {
        // Continuations run on the thread pool, so one batch's answers do not wait for each other's responses.
        var pending = new PendingClick(click, new TaskCompletionSource<GateDecision>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(GateBatcher));
        }

        return pending.Decision.Task;
    }

    private async Task SendBatchesAsync()
    {
        while (await _queue.Reader.WaitToReadAsync())
        {
            await _callSlots.WaitAsync();
            var batch = new List<PendingClick>();
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var click))
            {
                batch.Add(click);
            }

            _ = DecideAsync(batch);
        }
    }

    private async Task DecideAsync(List<PendingClick> batch)
    {
        _metrics.GateBatchSize.Record(batch.Count);
        var call = new GateCall(_gate, batch.ConvertAll(pending => pending.Click));
        try
        {
            var decisions = await _circuit.Pipeline.ExecuteAsync(static (call, _) => call.RunAsync(), call);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Decision.SetResult(decisions[i]);
            }
        }
        catch (Exception ex)
        {
            if (call.MayHaveRun)
            {
                // An attempt may have run on Redis after all: units nobody was promised go back (see
                // UncertainTakesLoop).
                _uncertain.Add(call.Clicks);
            }

            batch.ForEach(pending => pending.Decision.TrySetException(ex));
        }
        finally
        {
            _callSlots.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The host stops taking requests before the container disposes this; a click still queued gets its answer.
        _queue.Writer.TryComplete();
        await _sender;
        for (var slot = 0; slot < _callsInFlight; slot++)
        {
            await _callSlots.WaitAsync(); // every call answered
        }

        _callSlots.Dispose();
    }

    private sealed record PendingClick(GateClick Click, TaskCompletionSource<GateDecision> Decision);

    /// <summary>
    /// One gate call, tried once or more by the circuit's retry; remembers whether any attempt may have run on Redis
    /// without its answer arriving: it timed out, or the connection broke after the command was sent.
    /// </summary>
    private sealed class GateCall(StockGate gate, List<GateClick> clicks)
    {
        public List<GateClick> Clicks => clicks;

        public bool MayHaveRun { get; private set; }

        public async ValueTask<GateDecision[]> RunAsync()
        {
            try
            {
                return await gate.TryTakeAsync(clicks);
            }
            catch (Exception ex) when (MayHaveBeenSent(ex))
            {
                MayHaveRun = true;
                throw;
            }
        }

        /// <summary>
        /// A timeout means the command was sent and its answer never came (RedisTimeoutException too). A broken
        /// connection (e.g. reset after the script ran) is certain only when the command never left: while
        /// disconnected, commands fail at once without being sent (BacklogPolicy.FailFast).
        /// </summary>
        private static bool MayHaveBeenSent(Exception ex) => ex switch
        {
            TimeoutException => true,
            RedisConnectionException connection => connection.CommandStatus is not (CommandStatus.WaitingToBeSent or CommandStatus.WaitingInBacklog),
            _ => false,
        };
    }
}
