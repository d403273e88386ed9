using System.Globalization;
using Coupons.Users;
using StackExchange.Redis;

namespace Coupons.Gate.Scripts;

/// <summary>
/// take.lua: the FCFS decision for a batch of clicks. Layout: KEYS[1] the trust mark, then per click four keys (stock,
/// users, requests, the user's registry shard) and three arguments (publicId, requestId, known user id or ''). Answer:
/// three values per click, {verdict code, requestId, user id}.
/// </summary>
internal static class TakeScript
{
    public static readonly string Text = GateScript.Load("take.lua");

    private const int KeysPerClick = 4;
    private const int ArgsPerClick = 3;
    private const int AnswersPerClick = 3;

    public static (RedisKey[] Keys, RedisValue[] Args) Layout(IReadOnlyList<GateClick> clicks)
    {
        var keys = new RedisKey[1 + clicks.Count * KeysPerClick];
        var args = new RedisValue[clicks.Count * ArgsPerClick];
        keys[0] = TrustScript.Mark;
        var gate = (CouponId: (long?)null, Stock: default(RedisKey), Users: default(RedisKey), Requests: default(RedisKey));
        for (var i = 0; i < clicks.Count; i++)
        {
            var (couponId, publicId, requestId, knownUserId) = clicks[i];
            if (couponId != gate.CouponId)
            {
                // A batch is mostly one hot coupon's clicks: its key names are built once, not per click.
                var named = new GateKeys(couponId);
                gate = (couponId, named.Stock, named.Users, named.Requests);
            }

            var key = 1 + i * KeysPerClick;
            keys[key] = gate.Stock;
            keys[key + 1] = gate.Users;
            keys[key + 2] = gate.Requests;
            keys[key + 3] = UserRegistry.KeyOf(publicId);
            var arg = i * ArgsPerClick;
            args[arg] = publicId;
            args[arg + 1] = requestId.ToString();
            args[arg + 2] = knownUserId?.ToString(CultureInfo.InvariantCulture) ?? "";
        }

        return (keys, args);
    }

    public static GateDecision[] Parse(RedisResult result, int clicks)
    {
        var answers = (RedisResult[])result!;
        var decisions = new GateDecision[clicks];
        for (var i = 0; i < clicks; i++)
        {
            var answer = i * AnswersPerClick;
            var verdict = VerdictOf((int)answers[answer]);
            var requestId = verdict is GateVerdict.Accepted or GateVerdict.Duplicate ? Guid.Parse((string)answers[answer + 1]!) : Guid.Empty;
            // '' when the user is unknown, or while the gates are not trusted.
            var userId = long.TryParse((string?)answers[answer + 2], CultureInfo.InvariantCulture, out var known) ? known : 0;
            decisions[i] = new GateDecision(verdict, requestId, userId);
        }

        return decisions;
    }

    /// <summary>take.lua's verdict codes.</summary>
    internal static GateVerdict VerdictOf(int code) => code switch
    {
        0 => GateVerdict.Accepted,
        1 => GateVerdict.SoldOut,
        2 => GateVerdict.Duplicate,
        3 => GateVerdict.NotReady,
        4 => GateVerdict.UnknownUser,
        _ => throw new InvalidOperationException($"take.lua answered an unknown verdict code {code}."),
    };
}
