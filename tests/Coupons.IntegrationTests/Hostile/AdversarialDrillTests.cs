using System.Text.Json;
using Coupons.IntegrationTests.Faults;
using Coupons.Requests;

namespace Coupons.IntegrationTests.Hostile;

/// <summary>
/// Everything a hostile user and an unlucky operator can do, in one run on the real stack with two app processes:
/// 1,000 distinct people race for 500 units; 200 of them also click under three other casings of their id; forged
/// messages go straight into the topic; MariaDB is stopped for longer than the consumers' poll interval; redis-server
/// comes back from a stale snapshot. Afterwards I1–I6 (design.md §2) are checked from the database.
/// </summary>
[Trait("Category", "Hostile")]
[Collection(FaultCollection.Name)]
public sealed class AdversarialDrillTests
{
    private const int Stock = 500;
    private const int People = 1_000;
    private const int Recasers = 200;

    [Fact]
    public async Task Hostile_input_and_long_outages_together_break_no_invariant()
    {
        var environment = FaultCollection.FastRepair().ToDictionary(kv => kv.Key, kv => kv.Value!);
        environment["Kafka:ConsumerSessionTimeout"] = "00:00:06";
        environment["Kafka:ConsumerMaxPollInterval"] = "00:00:08";
        await using var a = await AppProcess.StartAsync(FreeTcpPort.Find(), environment, "drill-a");
        await using var b = await AppProcess.StartAsync(FreeTcpPort.Find(), environment, "drill-b");
        var api = new ApiDriver(a.Client, a.Admin);
        var couponId = await api.CreateOpenCouponAsync(Stock);
        var people = (await api.CreateUsersAsync(Recasers, prefix: "drill")).Concat(await api.CreateUsersAsync(People - Recasers)).ToList();
        var instances = new[] { AppProcess.ClientFor(a.Port), AppProcess.ClientFor(b.Port) };
        var turn = 0;
        HttpClient Next() => instances[Interlocked.Increment(ref turn) % instances.Length];

        var load = new SteadyLoad();
        var recased = new SteadyLoad();
        var recasedIds = people.Take(Recasers).SelectMany(p => Enumerable.Range(0, 3).Select(k => Recase(p, k))).ToList();
        var racing = Task.WhenAll(
            load.RunAsync(Next, couponId, people, spread: TimeSpan.FromSeconds(20), deadline: TimeSpan.FromSeconds(150)),
            recased.RunAsync(Next, couponId, recasedIds, spread: TimeSpan.FromSeconds(20), deadline: TimeSpan.FromSeconds(150)));

        await StackControl.SnapshotRedisAsync("drill");
        await Task.Delay(TimeSpan.FromSeconds(3));
        var forged = await InjectForgedMessagesAsync(api, couponId, people, load);
        await StackControl.RestartRedisFromSnapshotAsync("drill"); // gates 3 s stale: units sold since are free in it, holders gone
        await StackControl.StopMySqlAsync();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(20)); // over twice the consumers' max poll interval
            Assert.False(a.HasExited || b.HasExited, "an app process exited during the MySQL outage");
        }
        finally
        {
            await StackControl.StartMySqlAsync();
        }

        await racing;
        var outcome = await FaultOutcome.SettleAndAssertAsync("adversarial drill (2 instances)", api, Next, couponId, Stock, People, load, 0);

        // I1-I5 held (above), and I3 for the re-cased clicks' own 202s too. I6, one person one decision, however cased:
        // at most one accepted request per person, and every ALREADY_REQUESTED names that person's issued request
        // (or, just after a 503 whose gate call may have run, a request given back since: it resolves to nothing).
        await Invariants.AssertHoldAsync(couponId, recased.AcceptedRequestIds);
        await Invariants.AssertOneDecisionPerPersonAsync(couponId, load.Answers.Concat(recased.Answers).Select(x => (x.User, x.Answer, x.At)));

        Assert.Equal(Stock, outcome.Issued); // = min(stock, distinct people)

        // Every forged message is in the dead-letter topic with its reason.
        var dead = KafkaTestClients.ReadDeadLetters(forged.Keys.ToHashSet(), forged.Count, TimeSpan.FromSeconds(60));
        Assert.Equal(forged.OrderBy(f => f.Key), dead.Select(d => KeyValuePair.Create(d.Message.Key, KafkaTestClients.Header(d, "dlq-reason")!)).OrderBy(f => f.Key));

        // No process exited or needed a restart.
        Assert.False(a.HasExited || b.HasExited, "an app process exited");
        await ApiDriver.WaitUntilReadyAsync(instances[0], TimeSpan.FromSeconds(30));
        await ApiDriver.WaitUntilReadyAsync(instances[1], TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// Forged messages, each with its own key and the reason it must be dead-lettered for; plus an exact replay, which
    /// must add nothing. The replays copy a request already issued (a replay that overtook its original would be taken
    /// as the original: only signed messages could tell them apart).
    /// </summary>
    private static async Task<Dictionary<string, string>> InjectForgedMessagesAsync(ApiDriver api, long couponId, IReadOnlyList<string> people, SteadyLoad load)
    {
        var real = await Eventually.MatchesAsync(() => Task.FromResult(load.Answers.FirstOrDefault(x => x.Answer.Status == HttpStatusCode.Accepted)),
            x => x.User is not null, TimeSpan.FromSeconds(30), "no click was accepted to replay");
        await Eventually.TrueAsync(async () => (await api.GetRequestAsync(couponId, real.Answer.RequestId!.Value))?.Status == "ISSUED",
            TimeSpan.FromSeconds(30), "the request to replay was never issued");
        var (user, other) = (await Invariants.ReadUserIdAsync(people[^1]), people[^2]);
        var realUserId = await Invariants.ReadUserIdAsync(real.User);
        var now = DateTimeOffset.UtcNow;
        var messages = new Dictionary<string, (string Reason, byte[] Payload)>
        {
            ["unknown-user"] = (DeadLetterReason.UnknownUser, Json(Guid.CreateVersion7(), couponId, 999_999_999, "ghost", now)),
            ["unknown-coupon"] = (DeadLetterReason.UnknownCoupon, Json(Guid.CreateVersion7(), 999_999_999, user, people[^1], now)),
            ["mismatch"] = (DeadLetterReason.PublicIdMismatch, Json(Guid.CreateVersion7(), couponId, user, other, now)),
            ["altered-replay"] = (DeadLetterReason.RequestIdConflict, Json(real.Answer.RequestId!.Value, couponId, user, people[^1], now)),
            ["oversized"] = (DeadLetterReason.TooLarge, Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('x', 8_000) + "\"}")),
        };
        var keyed = messages.ToDictionary(m => $"forged-{m.Key}-{Guid.NewGuid():N}", m => m.Value);
        using var producer = KafkaTestClients.Producer();
        foreach (var (key, (_, payload)) in keyed)
        {
            await producer.ProduceAsync(KafkaTestClients.Topic, new Confluent.Kafka.Message<string, byte[]> { Key = key, Value = payload });
        }

        // An exact replay is indistinguishable from Kafka's own redelivery: absorbed, it must add no row (I5).
        var replay = new IssueRequested(real.Answer.RequestId!.Value, couponId, realUserId, real.User, now);
        await producer.ProduceAsync(KafkaTestClients.Topic, new Confluent.Kafka.Message<string, byte[]> { Key = replay.Key, Value = replay.ToBytes() });
        return keyed.ToDictionary(k => k.Key, k => k.Value.Reason);
    }

    private static byte[] Json(Guid requestId, long couponId, long userId, string publicId, DateTimeOffset requestedAt) =>
        JsonSerializer.SerializeToUtf8Bytes(new { requestId, couponId, userId, publicId, requestedAt });

    /// <summary>
    /// The k-th other casing (k = 0, 1, 2) of an id that starts with "drill": every third letter from the k-th is upper
    /// case, so the three differ from the id and from each other.
    /// </summary>
    private static string Recase(string id, int k)
    {
        var letter = 0;
        return string.Concat(id.Select(c => char.IsAsciiLetter(c) && letter++ % 3 == k ? char.ToUpperInvariant(c) : c));
    }
}
