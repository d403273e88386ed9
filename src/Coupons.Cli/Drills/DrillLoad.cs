using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Coupons.Client;

namespace Coupons.Cli.Drills;

/// <summary>One answer a drill user got. Status 0: no answer at all (connection refused or timed out).</summary>
/// <param name="User">The public id as sent (a person clicks with it as stored and re-cased).</param>
/// <param name="Unresolved">An ALREADY_REQUESTED whose request was neither PENDING nor ISSUED when asked: not
/// final.</param>
public sealed record DrillAnswer(string User, int Status, string? Code, Guid? RequestId, DateTimeOffset At, double LatencyMs, bool Unresolved = false)
{
    /// <summary>
    /// A final answer: accepted, or refused for good (sold out, or already requested with a request that stands).
    /// </summary>
    public bool Final => Status == 202 || (Status == 409 && !Unresolved);

    /// <summary>The person behind the click: public ids are one person however cased (design.md §2, I6).</summary>
    public string Person => User.ToLowerInvariant();
}

/// <summary>
/// Distinct users arriving at a steady rate for as long as the drill runs, each clicking until a final answer (202, or
/// 409 for sold out / already requested), honouring Retry-After on 503 and 429 as a real client does, and retrying
/// after a 502/504 or no answer (a proxy whose replica died). An ALREADY_REQUESTED is final only when the request it
/// names resolves (PENDING or ISSUED); design.md §2, I6 allows one that does not for a few seconds after an uncertain
/// 503, and a client then clicks again a little later. Every arriving person clicks twice at once, once with their id
/// as stored and once upper-cased, so that "one person, one decision" (I6) is put to the test, not given. Every answer
/// is kept for the invariants and the report.
/// </summary>
public sealed class DrillLoad(CouponsClient client, long couponId, IReadOnlyList<string> users)
{
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(5);

    private readonly ConcurrentQueue<DrillAnswer> _answers = new();
    private readonly ConcurrentQueue<DrillAnswer> _unresolved = new();
    private readonly ConcurrentBag<Task> _running = [];
    private int _next;

    public IReadOnlyCollection<DrillAnswer> Answers => _answers;

    public int Arrived => Math.Min(_next, users.Count);

    /// <summary>
    /// ALREADY_REQUESTED answers whose request did not resolve when asked (the user clicked again later).
    /// </summary>
    public int UnresolvedAlreadyRequested => _unresolved.Count;

    /// <summary>
    /// Users arrive at <paramref name="perSecond"/> until <paramref name="arrivals"/> is cancelled or every user has
    /// come.
    /// </summary>
    public async Task ArriveAsync(double perSecond, CancellationToken arrivals, CancellationToken stop)
    {
        var gap = TimeSpan.FromSeconds(1 / perSecond);
        var clock = Stopwatch.StartNew();
        while (!arrivals.IsCancellationRequested)
        {
            var index = Interlocked.Increment(ref _next) - 1;
            if (index >= users.Count)
            {
                return;
            }

            var user = users[index];
            _running.Add(Task.Run(() => Task.WhenAll(ClickUntilFinalAsync(user, stop), ClickUntilFinalAsync(user.ToUpperInvariant(), stop)), CancellationToken.None));
            var due = gap * (index + 1) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(due, arrivals);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Every user who has not come yet arrives now, at <paramref name="perSecond"/>: the flash crowd that sells the
    /// coupon out (it has fewer units than users), so that over-issue and a false sell-out could show.
    /// </summary>
    public Task RushAsync(double perSecond, CancellationToken stop) => ArriveAsync(perSecond, stop, stop);

    /// <summary>
    /// Waits until every user who came has a final answer, or <paramref name="stop"/> fires (then they have none).
    /// </summary>
    public Task FinishAsync() => Task.WhenAll(_running);

    /// <summary>A user who arrives now and clicks until answered; true when the click was accepted.</summary>
    public async Task<bool> ProbeAsync(CancellationToken stop)
    {
        var index = Interlocked.Increment(ref _next) - 1;
        if (index >= users.Count)
        {
            throw new DrillOutOfUsersException();
        }

        var final = await ClickUntilFinalAsync(users[index], stop);
        return final?.Status == (int)HttpStatusCode.Accepted;
    }

    private async Task<DrillAnswer?> ClickUntilFinalAsync(string user, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var sent = Stopwatch.StartNew();
            DrillAnswer answer;
            try
            {
                var reply = await client.IssueAsync(couponId, user, stop);
                answer = new DrillAnswer(user, (int)reply.Status, reply.Problem?.Code, reply.Value?.RequestId ?? reply.Problem?.RequestId,
                    DateTimeOffset.UtcNow, sent.Elapsed.TotalMilliseconds);
                if (answer is { Status: 409, Code: AlreadyRequested } && !await ResolvesAsync(answer.RequestId, stop))
                {
                    _answers.Enqueue(answer with { Unresolved = true }); // not final: the user clicks again after a pause
                    _unresolved.Enqueue(answer);
                    await PauseAsync(UnresolvedRetry, stop);
                    continue;
                }

                _answers.Enqueue(answer);
                if (answer.Final)
                {
                    return answer;
                }

                if (reply.Status != HttpStatusCode.Conflict)
                {
                    await PauseAsync(reply.Problem?.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1), stop);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && stop.IsCancellationRequested)
            {
                return null; // the drill stopped waiting: this user has no final answer, which the invariants report
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                _answers.Enqueue(new DrillAnswer(user, 0, ex.GetType().Name, null, DateTimeOffset.UtcNow, sent.Elapsed.TotalMilliseconds));
                await PauseAsync(TimeSpan.FromMilliseconds(500), stop);
            }
        }

        return null;
    }

    private const string AlreadyRequested = "ALREADY_REQUESTED";
    private static readonly TimeSpan UnresolvedRetry = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether the request an ALREADY_REQUESTED names is PENDING or ISSUED (if not, the user waits and clicks again).
    /// </summary>
    private async Task<bool> ResolvesAsync(Guid? requestId, CancellationToken stop)
    {
        return requestId is { } id && (await client.GetRequestAsync(couponId, id, stop)).Value is { Status: "PENDING" or "ISSUED" };
    }

    private static async Task PauseAsync(TimeSpan wait, CancellationToken stop)
    {
        try
        {
            await Task.Delay(wait < MaxRetryAfter ? wait : MaxRetryAfter, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>
/// Every user of the drill has come: its recovery probes found no stock left (it sold out before recovery).
/// </summary>
public sealed class DrillOutOfUsersException() : Exception("the drill ran out of users: the coupon sold out before the service recovered");
