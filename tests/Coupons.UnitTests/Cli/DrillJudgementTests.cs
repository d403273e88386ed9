using System.Text.Json;
using Coupons.Cli.Drills;

namespace Coupons.UnitTests.Cli;

/// <summary>
/// The drill's judgement over facts already read (issue 27 items 3-5). On main at f830887 the drill gave as many units
/// as users and each user stopped at the first 202, so I1 (design.md §2) and "accepted twice" could not fail; it
/// compared nothing in Redis with the database; and a recovery timed from long ago computed a negative deadline and
/// crashed.
/// </summary>
public sealed class DrillJudgementTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static DrillAnswer Accepted(string user, Guid id) => new(user, 202, null, id, T0, 5);

    private static DrillAnswer SoldOut(string user) => new(user, 409, "SOLD_OUT", null, T0, 5);

    private static DatabaseInvariants.Facts Facts(int total, params (Guid Id, string Holder)[] rows) =>
        new(total, rows.Length, rows.Length, 0, 0, rows.ToDictionary(r => r.Id, r => r.Holder));

    private static InvariantCheck Check(IReadOnlyList<InvariantCheck> checks, string id, string rule) => checks.Single(c => c.Id == id && c.Rule == rule);

    [Fact]
    public void Everything_right_holds()
    {
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        var answers = new[] { Accepted("u1", a), new("U1", 409, "ALREADY_REQUESTED", a, T0, 5), Accepted("u2", b), SoldOut("u3"), SoldOut("U3") };
        var checks = DatabaseInvariants.Judge(Facts(2, (a, "u1"), (b, "u2")), answers, new GateView(0, true));
        Assert.All(checks, c => Assert.True(c.Holds, $"{c.Id} {c.Rule}: {c.Evidence}"));
    }

    [Fact]
    public void More_rows_than_units_breaks_i1()
    {
        var ids = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToArray();
        var answers = ids.Select((id, i) => Accepted($"u{i}", id)).ToArray();
        var facts = Facts(2, [.. ids.Select((id, i) => (id, $"u{i}"))]);
        Assert.False(Check(DatabaseInvariants.Judge(facts, answers, new GateView(0, true)), "I1", "no over-issue").Holds);
    }

    [Fact]
    public void One_person_accepted_as_stored_and_re_cased_breaks_i6()
    {
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        var answers = new[] { Accepted("u1", a), Accepted("U1", b) };
        var check = Check(DatabaseInvariants.Judge(Facts(5, (a, "u1"), (b, "u1")), answers, new GateView(3, true)), "I6", "one person, one decision");
        Assert.False(check.Holds);
        Assert.Contains("1 people accepted twice", check.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gate_that_disagrees_with_the_database_breaks_i4_even_with_every_row_in_place()
    {
        var a = Guid.NewGuid();
        var answers = new[] { Accepted("u1", a) };
        var checks = DatabaseInvariants.Judge(Facts(10, (a, "u1")), answers, new GateView(8, true)); // a unit leaked: 9 left in the database
        Assert.True(Check(checks, "I4", "no false sell-out").Holds);
        Assert.False(Check(checks, "I4", "the gate agrees with the database").Holds);
        Assert.False(Check(DatabaseInvariants.Judge(Facts(10, (a, "u1")), answers, new GateView(null, false, "503 REDIS_UNAVAILABLE")), "I4", "the gate agrees with the database").Holds);
    }

    [Fact]
    public void A_person_whose_second_click_never_got_a_final_answer_is_unanswered()
    {
        var a = Guid.NewGuid();
        var answers = new[] { Accepted("u1", a), new("U1", 503, "REDIS_UNAVAILABLE", null, T0, 5) };
        var check = Check(DatabaseInvariants.Judge(Facts(1, (a, "u1")), answers, new GateView(0, true)), "I4", "no false sell-out");
        Assert.False(check.Holds);
        Assert.Contains("1 people never got a final answer", check.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void A_person_whose_last_answer_was_an_unresolved_already_requested_is_unanswered()
    {
        // The settle deadline fell in the pause after an ALREADY_REQUESTED that named nothing standing: no final
        // answer.
        var a = Guid.NewGuid();
        var answers = new[] { Accepted("u2", a), new("u1", 409, "ALREADY_REQUESTED", Guid.NewGuid(), T0.AddSeconds(1), 5, Unresolved: true) };
        var check = Check(DatabaseInvariants.Judge(Facts(5, (a, "u2")), answers, new GateView(4, true)), "I4", "no false sell-out");
        Assert.False(check.Holds);
    }

    [Fact]
    public void A_recovery_timed_from_long_ago_has_no_time_left_instead_of_a_negative_deadline()
    {
        Assert.Equal(TimeSpan.Zero, RecoveryDeadline.After(TimeSpan.FromMinutes(1), T0, T0.AddMinutes(10)));
        Assert.Equal(TimeSpan.FromSeconds(90), RecoveryDeadline.After(TimeSpan.FromMinutes(1), T0, T0));
        using var cts = new CancellationTokenSource();
        cts.CancelAfter(RecoveryDeadline.After(TimeSpan.FromMinutes(1), T0, T0.AddMinutes(10))); // threw ArgumentOutOfRangeException on main
    }

    [Fact]
    public void An_alert_pending_or_firing_on_any_instance_is_not_quiet()
    {
        using var answer = JsonDocument.Parse("""
            {"status":"success","data":{"alerts":[
              {"labels":{"alertname":"CouponsRedisDown","instance":"app-1:9081","severity":"P1"},"state":"pending"},
              {"labels":{"alertname":"CouponsRedisDown","instance":"app-2:9081","severity":"P1"},"state":"firing"},
              {"labels":{"alertname":"CouponsHighLatency","instance":"app-1:9081","severity":"P2"},"state":"firing"}]}}
            """);
        Assert.Equal(("firing", "app-2:9081"), AlertWatch.StateOf(answer.RootElement, "CouponsRedisDown"));
        Assert.Equal(("inactive", (string?)null), AlertWatch.StateOf(answer.RootElement, "CouponsMySQLDown"));
    }
}
