using System.Threading.Channels;
using Coupons.Infrastructure.Redis;
using Coupons.Ops;

namespace Coupons.Gate;

/// <summary>
/// Gives back units that clicks may have taken without anyone being promised them. A gate call that timed out, or
/// whose connection broke after the command was sent, may still have run on Redis: its clicks answered 503, yet their
/// units can be held by their request ids. Left alone,
/// reconciliation returns such a unit only after its grace period, and meanwhile the user's next click hears
/// ALREADY_REQUESTED for a request that never got a 202. Here each such click is released as soon as Redis answers
/// again; release.lua only frees a unit still held by that very request id, so a click that never ran costs nothing.
/// Best effort, kept in memory: after a crash, or when a late attempt reaches Redis only after the release (a new
/// connection can overtake bytes still in flight on the old one), reconciliation still returns the unit.
/// </summary>
public sealed partial class UncertainTakesLoop(StockGate gate, CouponMetrics metrics, TimeProvider clock, ILogger<UncertainTakesLoop> logger) : BackgroundService
{
    /// <summary>After this long reconciliation has its turn (its grace period is about as long).</summary>
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan RetryEvery = TimeSpan.FromMilliseconds(500);

    // Bounded: only clicks of calls that may have run come here (an open circuit sends nothing), and if a flood
    // overflows it, reconciliation returns the rest.
    private readonly Channel<(GateClick Click, DateTimeOffset Since)> _clicks =
        Channel.CreateBounded<(GateClick, DateTimeOffset)>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public void Add(IEnumerable<GateClick> clicks)
    {
        var now = clock.GetUtcNow();
        foreach (var click in clicks)
        {
            _clicks.Writer.TryWrite((click, now));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (click, since) in _clicks.Reader.ReadAllAsync(stoppingToken))
        {
            while (!await TryReleaseAsync(click) && clock.GetUtcNow() - since < GiveUpAfter)
            {
                await Task.Delay(RetryEvery, clock, stoppingToken);
            }
        }
    }

    /// <summary>True once Redis answered (whether or not the click held a unit).</summary>
    private async Task<bool> TryReleaseAsync(GateClick click)
    {
        try
        {
            if (await gate.ReleaseAsync(click.CouponId, click.RequestId))
            {
                metrics.ReconcileRepairs.Add(1, new KeyValuePair<string, object?>("kind", "timed_out_click_returned"));
                Returned(logger, click.RequestId, click.CouponId);
            }

            return true;
        }
        catch (Exception ex) when (RedisCircuit.IsUnavailable(ex))
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 4401, Level = LogLevel.Warning, Message = "Request {RequestId}: its gate call failed (timeout or broken connection) but had taken a unit of coupon {CouponId}; the unit is returned")]
    private static partial void Returned(ILogger logger, Guid requestId, long couponId);
}
