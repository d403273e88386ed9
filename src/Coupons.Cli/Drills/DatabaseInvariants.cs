using Dapper;
using MySqlConnector;

namespace Coupons.Cli.Drills;

/// <summary>One of the invariants of design.md §2, checked: whether it holds and the numbers that say so.</summary>
public sealed record InvariantCheck(string Id, string Rule, bool Holds, string Evidence);

/// <summary>
/// What Redis's gate said about the coupon at the end (through the admin API), or why it could not be read.
/// </summary>
public sealed record GateView(long? RemainingStock, bool Open, string? Unreadable = null);

/// <summary>
/// design.md §2's I1–I6 for one coupon, read straight from MariaDB (a read-only query, bypassing the app) against what
/// the drill's users were answered, and the gate's remaining stock against the database's. Run after the pipeline
/// drained and every user had a final answer. The drill gives the coupon fewer units than users and every person clicks
/// twice (as stored and re-cased), so each check here can fail.
/// </summary>
public static class DatabaseInvariants
{
    public static async Task<IReadOnlyList<InvariantCheck>> CheckAsync(string mysql, long couponId, IReadOnlyCollection<DrillAnswer> answers, GateView gate, CancellationToken ct) =>
        Judge(await ReadAsync(mysql, couponId, ct), answers, gate);

    /// <summary>The checks over facts already read: pure, so that each can be shown to fail.</summary>
    public static IReadOnlyList<InvariantCheck> Judge(Facts facts, IReadOnlyCollection<DrillAnswer> answers, GateView gate)
    {
        var accepted = answers.Where(a => a.Status == 202 && a.RequestId is not null).ToList();
        answers = [.. answers.OrderBy(a => a.At)]; // a stream's last answer is its latest
        var acceptedFor = accepted.GroupBy(a => a.RequestId!.Value).ToDictionary(g => g.Key, g => g.First().Person);
        // Each click stream (an id as sent) ends at its final answer; an ALREADY_REQUESTED that did not resolve was
        // followed by another click. A person is answered when every stream of theirs ended final.
        var finalStreams = answers.GroupBy(a => a.User).ToDictionary(g => g.Key, g => g.Last().Final);
        var persons = answers.GroupBy(a => a.Person).ToDictionary(g => g.Key, g => g.Select(a => a.User).Distinct().All(u => finalStreams[u]));
        var answered = persons.Count(p => p.Value);
        var unanswered = persons.Count - answered;
        var lost = acceptedFor.Keys.Count(id => !facts.Holders.ContainsKey(id));
        var misattributed = acceptedFor.Count(a => facts.Holders.TryGetValue(a.Key, out var holder) && !string.Equals(holder, a.Value, StringComparison.OrdinalIgnoreCase));
        var acceptedTwice = accepted.GroupBy(a => a.Person).Count(g => g.Select(a => a.RequestId).Distinct().Count() > 1);
        var expected = Math.Min(facts.Total, answered);
        var gateAgrees = gate.Unreadable is null && gate.RemainingStock == facts.Total - facts.Issued;

        return
        [
            new("I1", "no over-issue", facts.Rows <= facts.Total, $"{facts.Rows} rows for {facts.Total} units ({persons.Count} people asked)"),
            new("I2", "no duplicate", facts.DuplicateUsers == 0, $"{facts.DuplicateUsers} users hold the coupon twice"),
            new("I3", "no loss", lost == 0, $"{acceptedFor.Count} accepted (202), {acceptedFor.Count - lost} issued, {lost} lost"),
            new("I4", "no false sell-out", unanswered == 0 && facts.Rows == expected,
                $"{facts.Rows} issued = min({facts.Total} units, {answered} people answered) = {expected}? {unanswered} people never got a final answer"),
            new("I4", "the gate agrees with the database", gateAgrees, gate.Unreadable is { } why
                ? $"the gate could not be read: {why}"
                : $"Redis has {gate.RemainingStock?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no"} units left, the database {facts.Total - facts.Issued} ({facts.Total} - {facts.Issued} issued)"),
            new("I5", "exactly-once effect", facts.Rows == facts.Issued && facts.DuplicateRequests == 0,
                $"issued_quantity {facts.Issued}, rows {facts.Rows}, request ids written twice {facts.DuplicateRequests}"),
            new("I6", "one person, one decision", misattributed == 0 && acceptedTwice == 0,
                $"{misattributed} rows held by someone other than the person answered 202; {acceptedTwice} people accepted twice (each clicked twice, as stored and re-cased)"),
        ];
    }

    public sealed record Facts(int Total, int Issued, long Rows, long DuplicateUsers, long DuplicateRequests, IReadOnlyDictionary<Guid, string> Holders);

    private static async Task<Facts> ReadAsync(string mysql, long couponId, CancellationToken ct)
    {
        var builder = new MySqlConnectionStringBuilder(mysql) { GuidFormat = MySqlGuidFormat.None }; // the app stores ids as text
        await using var connection = new MySqlConnection(builder.ConnectionString);
        await connection.OpenAsync(ct);
        var args = new { couponId };
        var coupon = await connection.QuerySingleAsync<(int Total, int Issued)>(
            new CommandDefinition("SELECT total_quantity, issued_quantity FROM coupons WHERE id = @couponId", args, cancellationToken: ct));
        var counts = await connection.QuerySingleAsync<(long Rows, long DistinctRequests)>(new CommandDefinition(
            "SELECT COUNT(*), COUNT(DISTINCT request_id) FROM user_coupons WHERE coupon_id = @couponId", args, cancellationToken: ct));
        var duplicateUsers = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM (SELECT user_id FROM user_coupons WHERE coupon_id = @couponId GROUP BY user_id HAVING COUNT(*) > 1) d", args, cancellationToken: ct));
        var holders = (await connection.QueryAsync<(string RequestId, string PublicId)>(new CommandDefinition(
                "SELECT uc.request_id, u.public_id FROM user_coupons uc JOIN users u ON u.id = uc.user_id WHERE uc.coupon_id = @couponId", args, cancellationToken: ct)))
            .Where(r => Guid.TryParse(r.RequestId, out _))
            .GroupBy(r => Guid.Parse(r.RequestId))
            .ToDictionary(g => g.Key, g => g.First().PublicId);
        return new Facts(coupon.Total, coupon.Issued, counts.Rows, duplicateUsers, counts.Rows - counts.DistinctRequests, holders);
    }
}
