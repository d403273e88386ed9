using System.Data.Common;
using Coupons.Consumer;
using Coupons.Infrastructure;

namespace Coupons.Issuance;

/// <summary>
/// Every <see cref="IssuanceOptions.StatusStreamPoll"/>, asks the database once about every request an open status
/// stream waits on and hands each decision to its stream. Reading the decisions each round, rather than being told of
/// them, means a request decided between its stream's first read and its registration is found on the next round; a
/// database that cannot be read leaves the streams waiting (their heartbeats go on) until it can.
/// </summary>
public sealed class RequestWatchLoop(RequestWatches watches, IssueRequestStore store, IOptions<IssuanceOptions> options, TimeProvider clock, ILogger<RequestWatchLoop> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.StatusStreamPoll, clock);
        while (await timer.TickAsync(stoppingToken))
        {
            await BackgroundRound.RunAsync(DecideWaitingAsync, ex => ex is DbException or TimeoutException, logger, nameof(RequestWatchLoop), stoppingToken);
        }
    }

    internal async Task DecideWaitingAsync(CancellationToken ct)
    {
        var waiting = watches.Waiting();
        if (waiting.Count == 0)
        {
            return;
        }

        var decided = await store.FindManyAsync(waiting.Select(w => w.RequestId).Distinct().ToList(), ct);
        foreach (var watch in waiting)
        {
            if (decided.TryGetValue(watch.RequestId, out var found) && found.CouponId == watch.CouponId)
            {
                watch.Decide(found.Decision);
            }
        }
    }
}
