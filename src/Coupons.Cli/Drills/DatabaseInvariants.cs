using Dapper;
using MySqlConnector;

namespace Coupons.Cli.Drills;

/// <summary>One of SPEC §4's invariants, checked: whether it holds and the numbers that say so.</summary>
public sealed record InvariantCheck(string Id, string Rule, bool Holds, string Evidence);

/// <summary>
/// SPEC §4's I1–I6 for one coupon, read straight from MariaDB (a read-only query, bypassing the app) against what the
/// drill's users were answered. Run after the pipeline drained and every user had a final answer.
/// </summary>
public static class DatabaseInvariants
{
    public static async Task<IReadOnlyList<InvariantCheck>> CheckAsync(string mysql, long couponId, IReadOnlyCollection<DrillAnswer> answers, CancellationToken ct)
    {
        var facts = await ReadAsync(mysql, couponId, ct);
        var accepted = answers.Where(a => a.Status == 202 && a.RequestId is not null).ToList();
        var acceptedFor = accepted.GroupBy(a => a.RequestId!.Value).ToDictionary(g => g.Key, g => g.First().User);
        // A user's final answer is their last one; an ALREADY_REQUESTED that did not resolve was followed by another click.
        var finals = answers.GroupBy(a => a.User).Where(g => g.Last().Status is 202 or 409).Select(g => g.Key).ToHashSet();
        var unanswered = answers.Select(a => a.User).Distinct().Count(u => !finals.Contains(u));
        var lost = acceptedFor.Keys.Count(id => !facts.Holders.ContainsKey(id));
        var misattributed = acceptedFor.Count(a => facts.Holders.TryGetValue(a.Key, out var holder) && holder != a.Value);
        var usersAcceptedTwice = accepted.GroupBy(a => a.User).Count(g => g.Select(a => a.RequestId).Distinct().Count() > 1);
        var expected = Math.Min(facts.Total, finals.Count);

        return
        [
            new("I1", "no over-issue", facts.Rows <= facts.Total, $"{facts.Rows} rows for {facts.Total} units"),
            new("I2", "no duplicate", facts.DuplicateUsers == 0, $"{facts.DuplicateUsers} users hold the coupon twice"),
            new("I3", "no loss", lost == 0, $"{acceptedFor.Count} accepted (202), {acceptedFor.Count - lost} issued, {lost} lost"),
            new("I4", "no false sell-out", unanswered == 0 && facts.Rows == expected,
                $"{facts.Rows} issued = min({facts.Total} units, {finals.Count} requesters) = {expected}? {unanswered} users never got a final answer"),
            new("I5", "exactly-once effect", facts.Rows == facts.Issued && facts.DuplicateRequests == 0,
                $"issued_quantity {facts.Issued}, rows {facts.Rows}, request ids written twice {facts.DuplicateRequests}"),
            new("I6", "one person, one decision", misattributed == 0 && usersAcceptedTwice == 0,
                $"{misattributed} rows held by someone other than the user answered 202; {usersAcceptedTwice} users accepted twice"),
        ];
    }

    private sealed record Facts(int Total, int Issued, long Rows, long DuplicateUsers, long DuplicateRequests, IReadOnlyDictionary<Guid, string> Holders);

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
