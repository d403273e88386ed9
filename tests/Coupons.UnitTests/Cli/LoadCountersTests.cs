using Coupons.Cli.Drills;

namespace Coupons.UnitTests.Cli;

public sealed class LoadCountersTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Counts_answers_refused_users_and_delayed_users_from_what_each_user_was_answered()
    {
        DrillAnswer[] answers =
        [
            new("ann", 202, null, Guid.NewGuid(), T0, 10),
            new("bob", 503, "REDIS_UNAVAILABLE", null, T0, 5),
            new("bob", 503, "REDIS_UNAVAILABLE", null, T0.AddSeconds(3), 5),
            new("bob", 202, null, Guid.NewGuid(), T0.AddSeconds(7), 20),
            new("cid", 0, "HttpRequestException", null, T0, 3000),
            new("cid", 409, "ALREADY_REQUESTED", Guid.NewGuid(), T0.AddSeconds(1), 8),
            new("dee", 429, "RATE_LIMITED", null, T0, 1),
            new("dee", 502, null, null, T0.AddSeconds(1), 1),
        ];

        var counters = LoadCounters.From(answers);

        Assert.Equal((4, 8, 2, 1, 2, 1, 1, 1), (counters.Users, counters.Requests, counters.Accepted, counters.Conflicts, counters.Unavailable, counters.RateLimited, counters.NoAnswer, counters.OtherErrors));
        Assert.Equal(3, counters.UsersRefusedAtLeastOnce); // bob, cid, dee
        Assert.Equal(1, counters.UsersDelayedOver5s); // bob: 7 s from first click to final answer
        Assert.Equal(2, counters.ByStatusAndCode["503 REDIS_UNAVAILABLE"]);
        Assert.Equal(1, counters.ByStatusAndCode["no answer (HttpRequestException)"]);
        Assert.Equal(20, counters.P99LatencyMs); // answered requests only: the unanswered one's 3 s is not a latency
    }
}
