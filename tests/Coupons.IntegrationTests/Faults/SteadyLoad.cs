using System.Collections.Concurrent;
using System.Diagnostics;

namespace Coupons.IntegrationTests.Faults;

/// <summary>
/// Hundreds of distinct users arriving at a steady rate, each clicking until they get a final answer
/// (202, or 409 SOLD_OUT / ALREADY_REQUESTED), honouring Retry-After on 503 and 429 like a real client.
/// Every answer is recorded for the invariant checks.
/// </summary>
/// <param name="alsoRetried">Answers a user also takes as "try again" besides 503 and 429: what a proxy in front says
/// when the replica it sent the click to died mid-request (502, 504).</param>
public sealed class SteadyLoad(params HttpStatusCode[] alsoRetried)
{
    private readonly ConcurrentQueue<(string User, IssueAnswer Answer, TimeSpan At, TimeSpan SentAt)> _answers = new();
    private readonly ConcurrentDictionary<string, byte> _users = new();
    private readonly ConcurrentQueue<(string User, HttpRequestError Error, TimeSpan SentAt)> _cutOff = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _inFlight;

    /// <summary>Every answer, with when it arrived (<c>At</c>) and when its click was sent.</summary>
    public IReadOnlyCollection<(string User, IssueAnswer Answer, TimeSpan At, TimeSpan SentAt)> Answers => _answers;

    public IReadOnlyList<Guid> AcceptedRequestIds =>
        _answers.Where(a => a.Answer.Status == HttpStatusCode.Accepted).Select(a => a.Answer.RequestId!.Value).ToList();

    public int Count(HttpStatusCode status) => _answers.Count(a => a.Answer.Status == status);

    /// <summary>The load's own clock, as in <c>At</c> and <c>SentAt</c> of <see cref="Answers"/>.</summary>
    public TimeSpan Now => _clock.Elapsed;

    /// <summary>Clicks sent and not answered yet.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Clicks that reached the app and got no answer: the connection was reset or the response ended early. A click
    /// refused at connect (nothing listening: the app down or restarting) never reached it and is not counted.
    /// </summary>
    public IReadOnlyCollection<(string User, HttpRequestError Error, TimeSpan SentAt)> CutOff => _cutOff;

    /// <summary>
    /// Users whose last answer is not final (202 or 409): the deadline passed while they were still being told to wait.
    /// </summary>
    public IReadOnlyList<string> Unfinished
    {
        get
        {
            var last = _answers.GroupBy(a => a.User).ToDictionary(g => g.Key, g => g.Last().Answer.Status);
            return [.. _users.Keys.Where(u => !last.TryGetValue(u, out var status) || status is not (HttpStatusCode.Accepted or HttpStatusCode.Conflict))];
        }
    }

    /// <summary>
    /// SOLD_OUT answers that arrived before another click that was accepted had even been sent: a unit was still to be
    /// sold when they were given (held by a request that would never be issued, until the service gave it back: a false
    /// sell-out).
    /// </summary>
    public int SoldOutBeforeAnAccept
    {
        get
        {
            var lastAcceptSent = _answers.Where(a => a.Answer.Status == HttpStatusCode.Accepted).Select(a => a.SentAt).DefaultIfEmpty(TimeSpan.MinValue).Max();
            return _answers.Count(a => a.Answer.Code == "SOLD_OUT" && a.At < lastAcceptSent);
        }
    }

    /// <summary>
    /// Starts <paramref name="users"/> over <paramref name="spread"/>; completes when every user has a final answer or
    /// the deadline passes.
    /// </summary>
    public Task RunAsync(Func<HttpClient> client, long couponId, IReadOnlyList<string> users, TimeSpan spread, TimeSpan deadline)
    {
        var stopAt = _clock.Elapsed + deadline;
        var gap = spread / Math.Max(1, users.Count);
        foreach (var user in users)
        {
            _users.TryAdd(user, 0);
        }

        return Task.WhenAll(users.Select((user, i) => UserAsync(client, couponId, user, gap * i, stopAt)));
    }

    /// <summary>
    /// Users who clicked but hold nothing (SOLD_OUT) click again: how an event settles while stock shows up again.
    /// </summary>
    public Task RetrySoldOutAsync(Func<HttpClient> client, long couponId, TimeSpan deadline)
    {
        var winners = _answers.Where(a => a.Answer.Status == HttpStatusCode.Accepted).Select(a => a.User).ToHashSet();
        var losers = _answers.Select(a => a.User).Distinct().Where(u => !winners.Contains(u)).ToList();
        var stopAt = _clock.Elapsed + deadline;
        return Task.WhenAll(losers.Select(user => UserAsync(client, couponId, user, TimeSpan.Zero, stopAt)));
    }

    private async Task UserAsync(Func<HttpClient> client, long couponId, string user, TimeSpan startAfter, TimeSpan stopAt)
    {
        await Task.Delay(startAfter);
        while (_clock.Elapsed < stopAt)
        {
            IssueAnswer answer;
            var sentAt = _clock.Elapsed;
            Interlocked.Increment(ref _inFlight);
            try
            {
                answer = await ApiDriver.IssueAsync(client(), couponId, user);
            }
            catch (HttpRequestException ex)
            {
                // The app itself is down (kill test): the client retries, as a browser would.
                if (!IsRefusedAtConnect(ex))
                {
                    _cutOff.Enqueue((user, ex.HttpRequestError, sentAt));
                }

                await Task.Delay(200);
                continue;
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }

            _answers.Enqueue((user, answer, _clock.Elapsed, sentAt));
            if (answer.Status is HttpStatusCode.Accepted or HttpStatusCode.Conflict)
            {
                return;
            }

            Assert.True(answer.Status is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests || alsoRetried.Contains(answer.Status),
                $"unexpected answer {answer.Status} {answer.Code} for {user}");
            var wait = int.TryParse(answer.RetryAfter, out var seconds) ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromSeconds(1);
            await Task.Delay(wait);
        }
    }

    private static bool IsRefusedAtConnect(HttpRequestException ex) =>
        ex.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused };
}
