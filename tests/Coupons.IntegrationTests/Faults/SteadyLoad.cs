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
    private readonly ConcurrentQueue<(string User, IssueAnswer Answer, TimeSpan At)> _answers = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public IReadOnlyCollection<(string User, IssueAnswer Answer, TimeSpan At)> Answers => _answers;

    public IReadOnlyList<Guid> AcceptedRequestIds =>
        _answers.Where(a => a.Answer.Status == HttpStatusCode.Accepted).Select(a => a.Answer.RequestId!.Value).ToList();

    public int Count(HttpStatusCode status) => _answers.Count(a => a.Answer.Status == status);

    /// <summary>Starts <paramref name="users"/> over <paramref name="spread"/>; completes when every user has a final answer or the deadline passes.</summary>
    public Task RunAsync(Func<HttpClient> client, long couponId, IReadOnlyList<string> users, TimeSpan spread, TimeSpan deadline)
    {
        var stopAt = _clock.Elapsed + deadline;
        var gap = spread / Math.Max(1, users.Count);
        return Task.WhenAll(users.Select((user, i) => UserAsync(client, couponId, user, gap * i, stopAt)));
    }

    /// <summary>Users who clicked but hold nothing (SOLD_OUT) click again: how an event settles while stock shows up again.</summary>
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
            try
            {
                answer = await ApiDriver.IssueAsync(client(), couponId, user);
            }
            catch (HttpRequestException)
            {
                // The app itself is down (kill test): the client retries, as a browser would.
                await Task.Delay(200);
                continue;
            }

            _answers.Enqueue((user, answer, _clock.Elapsed));
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
}
