using Coupons.IntegrationTests.Faults;
using Coupons.Testing;
using Coupons.Pauses;
using CsCheck;

namespace Coupons.IntegrationTests.Hostile;

/// <summary>
/// design.md §2: "an action may refuse, it may never break an invariant". Generated interleavings of clicks and
/// operator actions — open, rebuild-gate, reconcile, consumer pause and resume, a sale's pause and resume and the
/// global switch, its total raised or lowered (issue 23), Redis restarted empty or from an older snapshot — for two
/// coupons on two instances, checked step by step against a model (no second 202 for a holder; a paused sale's click is
/// 503 SALE_PAUSED on either instance and only a paused one's is; every action answers one of its documented statuses)
/// and then, once everything is resumed and settled, against I1-I3, I5 and the consistency report in the database.
/// CsCheck shrinks a failing sequence to the shortest it can find.
/// </summary>
[Trait("Category", "Hostile")]
[Collection(FaultCollection.Name)]
public sealed class GeneratedOperatorTests
{
    private const int People = 8;

    [Fact]
    public async Task No_interleaving_of_clicks_and_operator_actions_breaks_an_invariant()
    {
        var settings = FaultCollection.FastRepair();
        await using var first = new CouponApiFactory(settings);
        await using var second = new CouponApiFactory(settings);
        ApiDriver[] apps = [new(first.CreateClient(), first.CreateAdminClient()), new(second.CreateClient(), second.CreateAdminClient())];
        await Task.WhenAll(apps.Select(a => ApiDriver.WaitUntilReadyAsync(a.Client)));
        // Each instance's own view of the pauses. Not its /metrics: two hosts in one process export each other's
        // gauges (one meter name, one process), which is how seed 0000bdgBt0ha saw a pause "honoured" too early.
        SaleSwitchboard[] switchboards = [first.Services.GetRequiredService<SaleSwitchboard>(), second.Services.GetRequiredService<SaleSwitchboard>()];

        await Fuzz.CheckAsync("operator actions and the gate", Steps.List[1, 10], steps => RunAsync(apps, switchboards, steps),
            fixedSeed: "000operators", cases: 2, print: steps => string.Join(" ; ", steps));

        Assert.Empty(first.ServerErrors.Errors);
        Assert.Empty(second.ServerErrors.Errors);
    }

    /// <summary>
    /// Seed 0000bdgBt0ha: every sale paused through one instance, then a click through the other. Its 202 was the test
    /// reading the wrong instance's view (see above); the sequence stays, as the first the generator found.
    /// </summary>
    [Fact]
    public async Task A_click_through_another_instance_once_it_honours_the_global_pause_is_refused()
    {
        await using var first = new CouponApiFactory(FaultCollection.FastRepair());
        await using var second = new CouponApiFactory(FaultCollection.FastRepair());
        ApiDriver[] apps = [new(first.CreateClient(), first.CreateAdminClient()), new(second.CreateClient(), second.CreateAdminClient())];
        await Task.WhenAll(apps.Select(a => ApiDriver.WaitUntilReadyAsync(a.Client)));
        SaleSwitchboard[] switchboards = [first.Services.GetRequiredService<SaleSwitchboard>(), second.Services.GetRequiredService<SaleSwitchboard>()];

        await RunAsync(apps, switchboards, [new PauseSale(Instance: 1, Coupon: -1), new Click(Instance: 0, Coupon: 0, Person: 1)]);
    }

    /// <summary>
    /// Clean clone S, seed 0001iloZ8nj2: a total change right after Redis restarted empty answered 503
    /// REDIS_UNAVAILABLE, which the step did not expect (it is an answer: 503 with a code, nothing changed).
    /// </summary>
    [Fact]
    public async Task A_total_changed_right_after_redis_restarted_empty_answers_with_a_code_and_breaks_nothing()
    {
        await using var first = new CouponApiFactory(FaultCollection.FastRepair());
        await using var second = new CouponApiFactory(FaultCollection.FastRepair());
        ApiDriver[] apps = [new(first.CreateClient(), first.CreateAdminClient()), new(second.CreateClient(), second.CreateAdminClient())];
        await Task.WhenAll(apps.Select(a => ApiDriver.WaitUntilReadyAsync(a.Client)));
        SaleSwitchboard[] switchboards = [first.Services.GetRequiredService<SaleSwitchboard>(), second.Services.GetRequiredService<SaleSwitchboard>()];

        await RunAsync(apps, switchboards, [new RedisRestartEmpty(), new ChangeTotal(Instance: 1, Coupon: 1, Delta: 2), new Click(Instance: 1, Coupon: 1, Person: 4)]);
    }

    private abstract record Step(int Instance);

    private sealed record Click(int Instance, int Coupon, int Person) : Step(Instance);

    private sealed record Open(int Instance, int Coupon) : Step(Instance);

    private sealed record RebuildGate(int Instance, int Coupon) : Step(Instance);

    private sealed record Reconcile(int Instance, int Coupon) : Step(Instance);

    private sealed record Pause(int Instance) : Step(Instance);

    private sealed record Resume(int Instance) : Step(Instance);

    /// <summary>The kill switch: one sale's (<paramref name="Coupon"/>) or, with -1, every sale's.</summary>
    private sealed record PauseSale(int Instance, int Coupon) : Step(Instance);

    private sealed record ResumeSale(int Instance, int Coupon) : Step(Instance);

    /// <summary>The sale's total moved by <paramref name="Delta"/> from what it is (issue 23), at least 1.</summary>
    private sealed record ChangeTotal(int Instance, int Coupon, int Delta) : Step(Instance);

    private sealed record RedisRestartEmpty() : Step(0);

    private sealed record RedisSnapshot() : Step(0);

    private sealed record RedisRestartFromSnapshot() : Step(0);

    private static readonly Gen<Step> Steps = Gen.Frequency(
        (12, Gen.Select(Gen.Int[0, 1], Gen.Int[0, 1], Gen.Int[0, People - 1], (i, c, p) => (Step)new Click(i, c, p))),
        (2, Gen.Select(Gen.Int[0, 1], Gen.Int[0, 1], (i, c) => (Step)new Open(i, c))),
        (1, Gen.Select(Gen.Int[0, 1], Gen.Int[0, 1], (i, c) => (Step)new RebuildGate(i, c))),
        (2, Gen.Select(Gen.Int[0, 1], Gen.Int[0, 1], (i, c) => (Step)new Reconcile(i, c))),
        (2, Gen.Int[0, 1].Select(i => (Step)new Pause(i))),
        (2, Gen.Int[0, 1].Select(i => (Step)new Resume(i))),
        (2, Gen.Select(Gen.Int[0, 1], Gen.Int[-1, 1], (i, c) => (Step)new PauseSale(i, c))),
        (2, Gen.Select(Gen.Int[0, 1], Gen.Int[-1, 1], (i, c) => (Step)new ResumeSale(i, c))),
        (2, Gen.Select(Gen.Int[0, 1], Gen.Int[0, 1], Gen.Int[-3, 3], (i, c, d) => (Step)new ChangeTotal(i, c, d))),
        (1, Gen.Const((Step)new RedisRestartEmpty())),
        (1, Gen.Const((Step)new RedisSnapshot())),
        (1, Gen.Const((Step)new RedisRestartFromSnapshot())));

    private static async Task RunAsync(ApiDriver[] apps, SaleSwitchboard[] switchboards, List<Step> steps)
    {
        var admin = apps[0];
        long[] coupons = [await admin.CreateOpenCouponAsync(3), await admin.CreateOpenCouponAsync(5)];
        var people = await admin.CreateUsersAsync(People);
        var snapshot = $"operators-{Guid.NewGuid():N}";
        await StackControl.SnapshotRedisAsync(snapshot);
        var model = new Model(); // who holds a 202, and which; which sales are paused
        try
        {
            foreach (var step in steps)
            {
                await ApplyAsync(apps, switchboards, coupons, people, model, snapshot, step);
            }
        }
        finally
        {
            await Task.WhenAll(apps.Select(a => a.Operator.SetConsumerPausedAsync(false)));
            await admin.Operator.ResumeEverySaleAsync();
            await Task.WhenAll(coupons.Select(c => admin.Operator.ResumeSaleAsync(c)));
        }

        // Seed 4E83r6KpgoO3: the holders' last clicks below went to the other instance before it honoured the resume.
        model.Paused.Clear();
        await BothHonourAsync(switchboards, coupons, model);

        var holders = model.Holders;

        for (var c = 0; c < coupons.Length; c++)
        {
            // Settled: the gate open again (the gate keeper rebuilds a lost one) and nothing in flight.
            var couponId = coupons[c];
            var report = (await Eventually.MatchesAsync(() => admin.ConsistencyOrNullAsync(couponId),
                r => r is { Redis.GateOpen: true, InFlight: 0, Parked: 0 }, TimeSpan.FromSeconds(90), $"coupon {couponId} never settled"))!;
            Assert.True(report.Consistent, $"coupon {coupons[c]}: {string.Join("; ", report.Problems)}");
            var accepted = holders.Where(h => h.Key.Coupon == c).Select(h => h.Value).ToList();
            await Invariants.AssertHoldAsync(coupons[c], accepted);
            foreach (var ((_, person), requestId) in holders.Where(h => h.Key.Coupon == c))
            {
                var again = await apps[person % 2].IssueAsync(coupons[c], people[person]);
                Assert.Equal((HttpStatusCode.Conflict, "ALREADY_REQUESTED", (Guid?)requestId), (again.Status, again.Code, again.RequestId));
            }
        }
    }

    private sealed class Model
    {
        public Dictionary<(int Coupon, int Person), Guid> Holders { get; } = [];

        /// <summary>Paused sales by index; -1 is the global switch.</summary>
        public HashSet<int> Paused { get; } = [];

        public bool IsPaused(int coupon) => Paused.Contains(-1) || Paused.Contains(coupon);
    }

    private static async Task ApplyAsync(
        ApiDriver[] apps, SaleSwitchboard[] switchboards, long[] coupons, IReadOnlyList<string> people, Model model, string snapshot, Step step)
    {
        var app = apps[step.Instance];
        var holders = model.Holders;
        switch (step)
        {
            case Click click:
                var answer = await app.IssueAsync(coupons[click.Coupon], people[click.Person]);
                if (answer.Status == HttpStatusCode.Accepted)
                {
                    Assert.False(holders.ContainsKey((click.Coupon, click.Person)), $"second 202 for {people[click.Person]} on coupon {coupons[click.Coupon]}");
                    holders[(click.Coupon, click.Person)] = answer.RequestId!.Value;
                }

                Assert.True(answer.Status is HttpStatusCode.Accepted or HttpStatusCode.Conflict or HttpStatusCode.ServiceUnavailable, $"{step}: {answer}");
                Assert.True(model.IsPaused(click.Coupon) == (answer.Code == "SALE_PAUSED"), $"{step}: {answer} while paused: [{string.Join(", ", model.Paused)}]");
                break;
            case PauseSale pause:
                var paused = pause.Coupon < 0 ? await app.Operator.PauseEverySaleAsync("generated") : await app.Operator.PauseSaleAsync(coupons[pause.Coupon]);
                Assert.Equal(model.Paused.Add(pause.Coupon), paused.Changed);
                await BothHonourAsync(switchboards, coupons, model);
                break;
            case ResumeSale resume:
                var resumed = resume.Coupon < 0 ? await app.Operator.ResumeEverySaleAsync() : await app.Operator.ResumeSaleAsync(coupons[resume.Coupon]);
                Assert.Equal(model.Paused.Remove(resume.Coupon), resumed.Changed);
                Assert.Equal(resume.Coupon < 0 ? model.Paused.Contains(-1) : model.IsPaused(resume.Coupon), resumed.ClicksRefused);
                await BothHonourAsync(switchboards, coupons, model);
                break;
            case Open open:
                await AssertAnswersAsync(app, $"/api/admin/coupons/{coupons[open.Coupon]}/open?wait=2", HttpStatusCode.OK, HttpStatusCode.Accepted);
                break;
            case RebuildGate rebuild:
                await AssertAnswersAsync(app, $"/api/admin/coupons/{coupons[rebuild.Coupon]}/rebuild-gate?wait=2", HttpStatusCode.OK, HttpStatusCode.Accepted);
                break;
            case Reconcile reconcile:
                await AssertAnswersAsync(app, $"/api/admin/coupons/{coupons[reconcile.Coupon]}/reconcile", HttpStatusCode.OK, HttpStatusCode.Conflict);
                break;
            case Pause:
                await app.Operator.SetConsumerPausedAsync(true);
                break;
            case Resume:
                await app.Operator.SetConsumerPausedAsync(false);
                break;
            case ChangeTotal change:
                var total = (await app.Operator.CampaignAsync(coupons[change.Coupon])).Total;
                var changed = await app.Operator.ChangeTotalAsync(coupons[change.Coupon], Math.Max(1, total + change.Delta));
                // Taken, or refused below what is issued and in flight, or 503 with a code while the gate cannot count
                // it or Redis does not answer yet after a restart (clean clone S, seed 0001iloZ8nj2:
                // REDIS_UNAVAILABLE).
                Assert.True(changed.Status == HttpStatusCode.OK || (changed.Status, changed.Problem?.Code) is (HttpStatusCode.Conflict, "TOTAL_BELOW_TAKEN")
                    || (changed.Status == HttpStatusCode.ServiceUnavailable && changed.Problem?.Code is not null), $"{step}: {changed.Status} {changed.Problem}");
                break;
            case RedisRestartEmpty:
                await StackControl.StopRedisAsync();
                await StackControl.StartRedisAsync();
                break;
            case RedisSnapshot:
                await StackControl.SnapshotRedisAsync(snapshot);
                break;
            case RedisRestartFromSnapshot:
                await StackControl.RestartRedisFromSnapshotAsync(snapshot);
                break;
        }
    }

    /// <summary>
    /// Each instance honours a pause within a second (SPEC §3); the model is exact from the moment both do. Waiting for
    /// that is the test's, not the promise's, deadline.
    /// </summary>
    private static async Task BothHonourAsync(SaleSwitchboard[] switchboards, long[] coupons, Model model)
    {
        var expected = model.Paused.Select(c => c < 0 ? SalePause.EverySale : coupons[c]).Order().ToList();
        foreach (var switchboard in switchboards)
        {
            await Eventually.MatchesAsync(() => Task.FromResult(switchboard.Honouring?.Where(c => c == SalePause.EverySale || coupons.Contains(c)).Order().ToList()),
                honoured => honoured?.SequenceEqual(expected) == true, TimeSpan.FromSeconds(15), $"an instance never honoured [{string.Join(", ", expected)}]");
        }
    }

    /// <summary>
    /// An action answers one of its own statuses, or 503 with a problem code while a dependency it needs is down (after
    /// a restart).
    /// </summary>
    private static async Task AssertAnswersAsync(ApiDriver app, string path, params HttpStatusCode[] expected)
    {
        using var response = await app.Admin.PostAsync(path, null);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            Assert.Contains("\"code\":", body, StringComparison.Ordinal);
            return;
        }

        Assert.True(expected.Contains(response.StatusCode), $"{path}: {(int)response.StatusCode} {body}");
    }
}
