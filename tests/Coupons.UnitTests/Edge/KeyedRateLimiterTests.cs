using System.Threading.RateLimiting;
using Coupons.Infrastructure.Edge;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Coupons.UnitTests.Edge;

public sealed class KeyedRateLimiterTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new();
    private readonly KeyedRateLimiter _limiter;

    public KeyedRateLimiterTests() => _limiter = new KeyedRateLimiter(perSecond: 5, c => c.Request.RouteValues["publicId"] as string, _clock);

    public void Dispose() => _limiter.Dispose();

    private static DefaultHttpContext Click(string? user)
    {
        var context = new DefaultHttpContext();
        if (user is not null)
        {
            context.Request.RouteValues["publicId"] = user;
        }

        return context;
    }

    private bool TryClick(string user)
    {
        using var lease = _limiter.AttemptAcquire(Click(user));
        return lease.IsAcquired;
    }

    /// <summary>Five clicks at once, all granted: the user's allowance is now empty.</summary>
    private void UseTheBurst(string user) => Assert.All(Enumerable.Range(0, 5), _ => Assert.True(TryClick(user)));

    [Fact]
    public void A_user_at_rest_gets_a_burst_of_the_per_second_limit_then_is_refused()
    {
        var answers = Enumerable.Range(0, 8).Select(_ => TryClick("alice")).ToList();

        Assert.Equal([true, true, true, true, true, false, false, false], answers);
    }

    [Fact]
    public void A_refusal_says_when_the_next_click_will_be_allowed_and_it_is()
    {
        UseTheBurst("alice");

        using var refused = _limiter.AttemptAcquire(Click("alice"));
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(200), retryAfter);

        _clock.Advance(TimeSpan.FromMilliseconds(199));
        Assert.False(TryClick("alice"));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(TryClick("alice"));
        Assert.False(TryClick("alice"));
    }

    [Fact]
    public void Users_do_not_share_an_allowance()
    {
        UseTheBurst("alice");

        Assert.False(TryClick("alice"));
        Assert.True(TryClick("bob"));
    }

    [Fact]
    public void Steady_clicking_at_the_limit_is_never_refused()
    {
        for (var i = 0; i < 50; i++)
        {
            Assert.True(TryClick("alice"));
            _clock.Advance(TimeSpan.FromMilliseconds(200));
        }
    }

    [Fact]
    public void Requests_without_a_user_are_not_limited()
    {
        for (var i = 0; i < 100; i++)
        {
            using var lease = _limiter.AttemptAcquire(Click(null));
            Assert.True(lease.IsAcquired);
        }

        Assert.Equal(0, _limiter.TrackedUsers);
    }

    [Fact]
    public void The_sweep_forgets_users_whose_allowance_is_full_again_and_keeps_the_others()
    {
        Assert.True(TryClick("rested"));
        UseTheBurst("busy");

        _clock.Advance(TimeSpan.FromMilliseconds(500)); // rested is full again; busy still owes 500 ms
        _limiter.Sweep();

        Assert.Equal(1, _limiter.TrackedUsers);
        Assert.Equal(2, Enumerable.Range(0, 5).Count(_ => TryClick("busy"))); // 500 ms earned back = 2.5 clicks
        Assert.Equal(5, Enumerable.Range(0, 6).Count(_ => TryClick("rested")));
    }

    [Fact]
    public async Task Simultaneous_clicks_of_one_user_are_granted_exactly_the_burst()
    {
        var granted = 0;
        await Parallel.ForAsync(0, 1_000, async (_, _) =>
        {
            await Task.Yield();
            if (TryClick("alice"))
            {
                Interlocked.Increment(ref granted);
            }
        });

        Assert.Equal(5, granted);
    }

    /// <summary>
    /// Memory stays bounded whatever ids are sent: past the cap, users not yet tracked are refused (after an attempt to
    /// make room), users already tracked go on as before, and once their allowances refill there is room again.
    /// </summary>
    [Fact]
    public void A_flood_of_distinct_users_cannot_grow_the_table_past_its_cap()
    {
        using var bounded = new KeyedRateLimiter(perSecond: 5, c => c.Request.RouteValues["publicId"] as string, _clock, maxTrackedUsers: 1_000);

        var flood = Enumerable.Range(0, 5_000).Select(i => bounded.AttemptAcquire(Click($"bot-{i}"))).ToList();

        Assert.Equal(1_000, flood.Count(lease => lease.IsAcquired));
        Assert.Equal(1_000, bounded.TrackedUsers);
        Assert.All(flood.Where(lease => !lease.IsAcquired), lease => Assert.True(lease.TryGetMetadata(MetadataName.RetryAfter, out _)));
        Assert.True(bounded.AttemptAcquire(Click("bot-1")).IsAcquired); // already tracked: its own allowance decides

        _clock.Advance(TimeSpan.FromMilliseconds(400)); // every tracked allowance is full again: they can be forgotten
        Assert.True(bounded.AttemptAcquire(Click("newcomer")).IsAcquired);
        Assert.True(bounded.TrackedUsers <= 1_000);
    }
}
