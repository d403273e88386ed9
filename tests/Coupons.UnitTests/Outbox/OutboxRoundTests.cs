using Coupons.Outbox;
using Coupons.Testing;
using CsCheck;

namespace Coupons.UnitTests.Outbox;

public sealed class OutboxRoundTests
{
    /// <summary>
    /// For any page (ids ascending, keys drawn from a few users): the round sends each key's first event and nothing
    /// else of that key, in the page's order, so a key's later event can never reach the topic before an earlier one.
    /// </summary>
    [Fact]
    public void A_round_sends_each_keys_oldest_waiting_event_only() =>
        Fuzz.Check("outbox rounds", Gen.OneOf<string>("a", "b", "c", "d").Array[0, 40], keys =>
        {
            var page = keys.Select((key, id) => (Id: id, Key: key)).ToList();
            var chosen = OutboxRound.Choose(page, e => e.Key);

            Assert.Equal(page.Select(e => e.Key).Distinct().Count(), chosen.Count);
            Assert.All(chosen, e => Assert.Equal(page.First(p => p.Key == e.Key).Id, e.Id));
            Assert.Equal(chosen.OrderBy(e => e.Id), chosen);
        }, fixedSeed: "0000outboxrd", cases: 2_000);

    [Fact]
    public void A_failed_key_sits_out_its_pause_then_comes_back_and_the_held_set_stays_bounded()
    {
        var backoff = new OutboxBackoff();
        var now = new DateTime(2026, 12, 7, 12, 0, 0, DateTimeKind.Utc);
        backoff.Hold("user-1", now);
        Assert.Equal(["user-1"], backoff.Blocked(now + TimeSpan.FromSeconds(1)));
        Assert.Empty(backoff.Blocked(now + OutboxBackoff.Pause));

        for (var i = 0; i < OutboxBackoff.MaxKeys + 50; i++)
        {
            backoff.Hold($"user-{i}", now.AddMilliseconds(i));
        }

        Assert.Equal(OutboxBackoff.MaxKeys, backoff.Blocked(now).Count);
        backoff.Clear($"user-{OutboxBackoff.MaxKeys + 49}");
        Assert.DoesNotContain($"user-{OutboxBackoff.MaxKeys + 49}", backoff.Blocked(now));
    }
}
