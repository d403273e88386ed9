using Coupons.Client;
using Coupons.IntegrationTests.Api;

namespace Coupons.IntegrationTests.Issuance;

/// <summary>
/// Issue 23, SPEC I8 under races on two instances: one coupon used by many orders at once, one order retried on both
/// instances at once, and a restore racing another order's use. Whatever the interleaving, each answer is one the
/// database agrees with: one use in force at most per coupon, the order it names, and one event per change.
/// </summary>
[Trait("Category", "Issuance")]
[Collection(StackCollection.Name)]
public sealed class RedemptionRaceTests(StackFixture stack)
{
    private const int PeoplePerRace = 10;
    private const int CallsPerPerson = 8;

    [Fact]
    public async Task Two_instances_racing_uses_retries_and_restores_keep_every_coupon_used_once()
    {
        await using var second = new CouponApiFactory();
        var shops = new[] { stack.App.CreateClient(), second.CreateClient() }.Select(c => new CouponsClient(c.WithToken(TestTokens.OrderService()))).ToArray();
        var (couponId, users) = await new RedemptionTests(stack).IssuedAsync(RedemptionTests.Fixed(1000m, minOrder: 0m), people: 3 * PeoplePerRace);
        var (manyOrders, oneOrder, useAndRestore) = (users.Take(PeoplePerRace).ToList(), users.Skip(PeoplePerRace).Take(PeoplePerRace).ToList(), users.Skip(2 * PeoplePerRace).ToList());
        foreach (var user in useAndRestore)
        {
            Assert.True((await shops[0].UseCouponAsync(couponId, user, "order-0", 3000m)).IsSuccess);
        }

        // All at once: each call on one instance or the other, in turn.
        var calls = manyOrders.SelectMany(user => Enumerable.Range(0, CallsPerPerson).Select(i =>
                (User: user, Kind: "many", Call: (Func<Task<ApiAnswer<RedemptionView>>>)(() => shops[i % 2].UseCouponAsync(couponId, user, $"order-{i}", 3000m)))))
            .Concat(oneOrder.SelectMany(user => Enumerable.Range(0, CallsPerPerson).Select(i =>
                (User: user, Kind: "one", Call: (Func<Task<ApiAnswer<RedemptionView>>>)(() => shops[i % 2].UseCouponAsync(couponId, user, "order-1", 3000m))))))
            .Concat(useAndRestore.SelectMany(user => Enumerable.Range(0, CallsPerPerson).Select(i =>
                (User: user, Kind: i % 2 == 0 ? "restore" : "use", Call: (Func<Task<ApiAnswer<RedemptionView>>>)(i % 2 == 0
                    ? () => shops[i / 2 % 2].RestoreCouponAsync(couponId, user, "order-0")
                    : () => shops[i / 2 % 2].UseCouponAsync(couponId, user, "order-1", 3000m))))))
            .ToList();
        var answers = await Task.WhenAll(calls.Select(async c => (c.User, c.Kind, Answer: await c.Call())));

        var inForce = await Invariants.AssertRedemptionsHoldAsync(couponId);
        var byUser = answers.GroupBy(a => a.User).ToDictionary(g => g.Key, g => g.ToList());
        var userCoupons = (await stack.Api.Users.GetUserCouponsAsync(users[0])).Value!.Single(c => c.CouponId == couponId);
        foreach (var user in manyOrders)
        {
            // One order won, every other was told the coupon is used, and the database names the winner.
            var won = Assert.Single(byUser[user].Where(a => a.Answer.IsSuccess).Select(a => a.Answer.Value!));
            Assert.All(byUser[user].Where(a => !a.Answer.IsSuccess), a => Assert.Equal("COUPON_ALREADY_USED", a.Answer.Problem?.Code));
            Assert.Equal(won.OrderId, inForce[won.UserCouponId]);
        }

        foreach (var user in oneOrder)
        {
            // Every retry answered the same use, made once.
            Assert.All(byUser[user], a => Assert.True(a.Answer.IsSuccess, $"{user}: {a.Answer.Problem}"));
            Assert.Equal(1, byUser[user].Count(a => !a.Answer.Value!.Replayed));
            Assert.Single(byUser[user].Select(a => a.Answer.Value! with { Replayed = false }).Distinct());
        }

        foreach (var user in useAndRestore)
        {
            // The restore always succeeds (once, then replayed); order-1's use succeeds exactly when it came after it,
            // and then it is the use in force.
            var restores = byUser[user].Where(a => a.Kind == "restore").ToList();
            Assert.All(restores, a => Assert.True(a.Answer.IsSuccess, $"{user}: {a.Answer.Problem}"));
            Assert.Equal(1, restores.Count(a => !a.Answer.Value!.Replayed));
            var uses = byUser[user].Where(a => a.Kind == "use").ToList();
            Assert.All(uses, a => Assert.True(a.Answer.IsSuccess || a.Answer.Problem?.Code == "COUPON_ALREADY_USED", $"{user}: {a.Answer.Problem}"));
            var userCouponId = restores[0].Answer.Value!.UserCouponId;
            Assert.Equal(uses.Any(a => a.Answer.IsSuccess) ? "order-1" : null, inForce.GetValueOrDefault(userCouponId));
        }

        Assert.Equal(userCoupons.Status == "USED" ? inForce[userCoupons.Id] : null, userCoupons.OrderId);
        Assert.Empty(second.ServerErrors.Errors);
    }
}
