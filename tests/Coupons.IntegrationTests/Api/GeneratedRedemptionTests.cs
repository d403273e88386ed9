using Coupons.Client;
using Coupons.Testing;
using CsCheck;

namespace Coupons.IntegrationTests.Api;

/// <summary>
/// Issue 23, the order service as a generated adversary: any sequence of uses and restores of one user's coupon, with
/// order ids that differ in case or not at all and amounts that differ or not, through two instances in turn. Every
/// answer is the one a model of SPEC I8 gives (first use, replay, ORDER_CHANGED, ORDER_CANCELLED, COUPON_ALREADY_USED,
/// NOT_USED_BY_ORDER) and the database agrees with the model after each sequence.
/// </summary>
[Trait("Category", "Api")]
[Collection(StackCollection.Name)]
public sealed class GeneratedRedemptionTests(StackFixture stack)
{
    private sealed record Step(bool Use, string Order, decimal Amount, int Instance)
    {
        public override string ToString() => Use ? $"use {Order} {Amount} @{Instance}" : $"restore {Order} @{Instance}";
    }

    private static readonly Gen<Step> Steps = Gen.Select(Gen.Bool, Gen.OneOf<string>("o-1", "O-1", "o-2", "o.3:x_"), Gen.OneOf<decimal>(0.01m, 999.99m, 1000m, 5000m), Gen.Int[0, 1],
        (use, order, amount, instance) => new Step(use, order, amount, instance));

    [Fact]
    public async Task Any_sequence_of_uses_and_restores_answers_as_the_model_and_the_database_agrees()
    {
        await using var second = new CouponApiFactory();
        var shops = new[] { stack.App.CreateClient(), second.CreateClient() }.Select(c => new CouponsClient(c.WithToken(TestTokens.OrderService()))).ToArray();
        // A fresh user coupon per case, issued ten at a time as needed: shrinking and COUPONS_FUZZ_SCALE run more
        // cases.
        var fresh = new Queue<(long CouponId, string User)>();

        await Fuzz.CheckAsync("uses and restores of one coupon", Steps.List[1, 12], async steps =>
        {
            if (fresh.Count == 0)
            {
                var (coupon, people) = await new RedemptionTests(stack).IssuedAsync(RedemptionTests.Fixed(1000m, minOrder: 0m), people: 10);
                people.ToList().ForEach(p => fresh.Enqueue((coupon, p)));
            }

            var (couponId, user) = fresh.Dequeue();
            var model = new Model();
            foreach (var step in steps)
            {
                var answer = step.Use
                    ? await shops[step.Instance].UseCouponAsync(couponId, user, step.Order, step.Amount)
                    : await shops[step.Instance].RestoreCouponAsync(couponId, user, step.Order);
                var expected = model.Apply(step);
                var actual = (answer.Status, answer.Problem?.Code, answer.Value?.Replayed, answer.Value?.Discount);
                Assert.True(expected == actual, $"{step}: expected {expected}, got {actual}; steps: {string.Join(" ; ", steps)}");
            }

            var inForce = await Invariants.AssertRedemptionsHoldAsync(couponId);
            var held = (await stack.Api.Users.GetUserCouponsAsync(user)).Value!.Single(c => c.CouponId == couponId);
            Assert.Equal(model.InForce, inForce.GetValueOrDefault(held.Id));
        }, fixedSeed: "00redeeming0", cases: 10, print: steps => string.Join(" ; ", steps));

        Assert.Empty(second.ServerErrors.Errors);
    }

    /// <summary>SPEC I8 as the service promises it, for one user's coupon (a FIXED 1,000 with no minimum).</summary>
    private sealed class Model
    {
        private readonly Dictionary<string, (decimal Amount, bool Restored)> _uses = new(StringComparer.Ordinal);

        public string? InForce { get; private set; }

        public (HttpStatusCode, string?, bool?, decimal?) Apply(Step step)
        {
            var discount = Math.Min(1000m, step.Amount);
            if (step.Use)
            {
                if (_uses.TryGetValue(step.Order, out var before))
                {
                    return before.Restored ? (HttpStatusCode.Conflict, "ORDER_CANCELLED", null, null)
                        : before.Amount != step.Amount ? (HttpStatusCode.Conflict, "ORDER_CHANGED", null, null)
                        : (HttpStatusCode.OK, null, true, Math.Min(1000m, before.Amount));
                }

                if (InForce is not null)
                {
                    return (HttpStatusCode.Conflict, "COUPON_ALREADY_USED", null, null);
                }

                _uses[step.Order] = (step.Amount, false);
                InForce = step.Order;
                return (HttpStatusCode.OK, null, false, discount);
            }

            if (!_uses.TryGetValue(step.Order, out var used))
            {
                return (HttpStatusCode.Conflict, "NOT_USED_BY_ORDER", null, null);
            }

            if (used.Restored)
            {
                return (HttpStatusCode.OK, null, true, Math.Min(1000m, used.Amount));
            }

            _uses[step.Order] = used with { Restored = true };
            InForce = null;
            return (HttpStatusCode.OK, null, false, Math.Min(1000m, used.Amount));
        }
    }
}
