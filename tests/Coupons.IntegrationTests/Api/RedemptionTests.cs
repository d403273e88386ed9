using System.Text;
using Coupons.Client;
using Coupons.Outbox;
using Dapper;
using MySqlConnector;

namespace Coupons.IntegrationTests.Api;

/// <summary>
/// Issue 23, redemption (SPEC I8): a coupon used at checkout by its holder for one order, with the discount its type
/// gives; the order id makes every retry answer the same; restored only by the order that used it and before it
/// expires; the rest of the shop told through coupon.issued, coupon.used and coupon.restored, keyed by the user.
/// </summary>
[Trait("Category", "Api")]
[Collection(StackCollection.Name)]
public sealed class RedemptionTests(StackFixture stack)
{
    [Fact]
    public async Task A_coupon_is_used_by_one_order_a_retry_answers_the_same_and_a_restore_frees_it_for_another()
    {
        var (couponId, users) = await IssuedAsync(Fixed(1000m, minOrder: 0m), people: 1);
        var user = users[0];
        var shop = OrderService();

        var used = await shop.UseCouponAsync(couponId, user, "order-A", 5000m);
        var retried = await shop.UseCouponAsync(couponId, user, "order-A", 5000m);
        var other = await shop.UseCouponAsync(couponId, user, "order-B", 7000m);
        var changed = await shop.UseCouponAsync(couponId, user, "order-A", 6000m);

        Assert.Equal((1000m, "USED", false), (used.Value!.Discount, used.Value.Status, used.Value.Replayed));
        Assert.Equal(used.Value with { Replayed = true }, retried.Value);
        Assert.Equal((HttpStatusCode.Conflict, "COUPON_ALREADY_USED"), (other.Status, other.Problem?.Code));
        Assert.Equal((HttpStatusCode.Conflict, "ORDER_CHANGED"), (changed.Status, changed.Problem?.Code));
        var listed = (await stack.Api.Users.GetUserCouponsAsync(user)).Value!.Single(c => c.CouponId == couponId);
        Assert.Equal(("USED", "order-A"), (listed.Status, listed.OrderId));
        Assert.DoesNotContain((await stack.Api.Users.GetUserCouponsAsync(user, availableOnly: true)).Value!, c => c.CouponId == couponId);

        var notTheirs = await shop.RestoreCouponAsync(couponId, user, "order-B");
        var restored = await shop.RestoreCouponAsync(couponId, user, "order-A");
        var restoredAgain = await shop.RestoreCouponAsync(couponId, user, "order-A");
        var cancelledReused = await shop.UseCouponAsync(couponId, user, "order-A", 5000m);
        var second = await shop.UseCouponAsync(couponId, user, "order-B", 7000m);

        Assert.Equal((HttpStatusCode.Conflict, "NOT_USED_BY_ORDER"), (notTheirs.Status, notTheirs.Problem?.Code));
        Assert.Equal(("RESTORED", false), (restored.Value!.Status, restored.Value.Replayed));
        Assert.Equal(restored.Value with { Replayed = true }, restoredAgain.Value);
        Assert.Equal((HttpStatusCode.Conflict, "ORDER_CANCELLED"), (cancelledReused.Status, cancelledReused.Problem?.Code));
        Assert.Equal(("USED", 1000m), (second.Value!.Status, second.Value.Discount));
        Assert.Equal("order-B", (await Invariants.AssertRedemptionsHoldAsync(couponId)).Values.Single());
    }

    [Fact]
    public async Task Order_ids_differing_only_in_case_are_two_orders()
    {
        // The order service's ids are case-sensitive: in a case-insensitive column "order-a" would replay "ORDER-A"'s
        // use and be told it got the discount while the coupon is another order's.
        var (couponId, users) = await IssuedAsync(Fixed(1000m, minOrder: 0m), people: 1);
        var shop = OrderService();

        var upper = await shop.UseCouponAsync(couponId, users[0], "ORDER-A", 5000m);
        var lower = await shop.UseCouponAsync(couponId, users[0], "order-a", 5000m);
        var restoreLower = await shop.RestoreCouponAsync(couponId, users[0], "order-a");

        Assert.True(upper.IsSuccess, upper.Problem?.ToString());
        Assert.Equal((HttpStatusCode.Conflict, "COUPON_ALREADY_USED"), (lower.Status, lower.Problem?.Code));
        Assert.Equal((HttpStatusCode.Conflict, "NOT_USED_BY_ORDER"), (restoreLower.Status, restoreLower.Problem?.Code));
        Assert.Equal("ORDER-A", (await Invariants.AssertRedemptionsHoldAsync(couponId)).Values.Single());
    }

    [Fact]
    public async Task A_percentage_rounds_down_to_the_cent_stops_at_its_cap_and_refuses_an_order_below_the_minimum()
    {
        var (couponId, users) = await IssuedAsync(Percentage(15m, cap: 3000m, minOrder: 10_000m), people: 4);
        var shop = OrderService();

        var below = await shop.UseCouponAsync(couponId, users[0], "o-1", 9_999.99m);
        var atMinimum = await shop.UseCouponAsync(couponId, users[0], "o-2", 10_000m);
        var rounded = await shop.UseCouponAsync(couponId, users[1], "o-3", 12_345.67m);
        var capped = await shop.UseCouponAsync(couponId, users[2], "o-4", 33_333.33m);

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "ORDER_BELOW_MINIMUM"), (below.Status, below.Problem?.Code));
        Assert.Equal(1_500m, atMinimum.Value!.Discount);
        Assert.Equal(1_851.85m, rounded.Value!.Discount); // 1,851.8505 rounded down: never more than the rate
        Assert.Equal(3_000m, capped.Value!.Discount);
        await Invariants.AssertRedemptionsHoldAsync(couponId);
    }

    [Fact]
    public async Task Bad_input_is_400_a_coupon_not_held_404_and_neither_changes_anything()
    {
        var (couponId, users) = await IssuedAsync(Fixed(500m, minOrder: 0m), people: 1);
        var stranger = (await stack.Api.CreateUsersAsync(1))[0];
        var shop = OrderService();

        foreach (var (orderId, amount) in new[] { ("", 10m), (new string('x', 65), 10m), ("order 1", 10m), ("o<script>", 10m), ("ok", 0m), ("ok", -1m), ("ok", 1.234m), ("ok", 1_000_000_000.01m) })
        {
            var answer = await shop.UseCouponAsync(couponId, users[0], orderId, amount);
            Assert.True((answer.Status, answer.Problem?.Code) == (HttpStatusCode.BadRequest, "INVALID_REQUEST"), $"{orderId} {amount}: {answer.Status} {answer.Problem}");
        }

        var notHeld = await shop.UseCouponAsync(couponId, stranger, "order-1", 1000m);
        var noSuchCoupon = await shop.UseCouponAsync(couponId + 1_000_000, users[0], "order-1", 1000m);
        var noSuchUser = await shop.UseCouponAsync(couponId, "nobody-" + Guid.NewGuid().ToString("N")[..8], "order-1", 1000m);

        Assert.Equal((HttpStatusCode.NotFound, "COUPON_NOT_HELD"), (notHeld.Status, notHeld.Problem?.Code));
        Assert.Equal((HttpStatusCode.NotFound, "COUPON_NOT_HELD"), (noSuchCoupon.Status, noSuchCoupon.Problem?.Code));
        Assert.Equal((HttpStatusCode.NotFound, "USER_NOT_FOUND"), (noSuchUser.Status, noSuchUser.Problem?.Code));
        Assert.Empty(await Invariants.AssertRedemptionsHoldAsync(couponId));
    }

    [Fact]
    public async Task An_expired_coupon_is_neither_used_nor_restored_and_stays_with_the_order_that_used_it()
    {
        var (couponId, users) = await IssuedAsync(Fixed(500m, minOrder: 0m), people: 2);
        var shop = OrderService();
        Assert.True((await shop.UseCouponAsync(couponId, users[1], "order-late", 800m)).IsSuccess);
        await ExpireAsync(couponId); // validity is whole days: its end is moved into the past in the database

        var use = await shop.UseCouponAsync(couponId, users[0], "order-1", 800m);
        var restore = await shop.RestoreCouponAsync(couponId, users[1], "order-late");

        Assert.Equal((HttpStatusCode.Conflict, "COUPON_EXPIRED"), (use.Status, use.Problem?.Code));
        Assert.Equal((HttpStatusCode.Conflict, "COUPON_EXPIRED"), (restore.Status, restore.Problem?.Code));
        Assert.Equal("order-late", (await Invariants.AssertRedemptionsHoldAsync(couponId)).Values.Single());
    }

    [Fact]
    public async Task Issued_used_and_restored_reach_the_events_topic_keyed_by_the_user_in_their_order()
    {
        var from = KafkaTestClients.EventsTopicEnds();
        var (couponId, users) = await IssuedAsync(Fixed(700m, minOrder: 0m), people: 1);
        var shop = OrderService();
        Assert.True((await shop.UseCouponAsync(couponId, users[0], "order-E", 2000m)).IsSuccess);
        Assert.True((await shop.RestoreCouponAsync(couponId, users[0], "order-E")).IsSuccess);

        var events = KafkaTestClients.ReadEvents(from, users[0], expected: 3, TimeSpan.FromSeconds(30))
            .Select(r => (Header: KafkaTestClients.Header(r, "event-type"), Event: ShopEvent.FromJson(Encoding.UTF8.GetString(r.Message.Value))!)).ToList();

        Assert.Equal(["coupon.issued", "coupon.used", "coupon.restored"], events.Select(e => e.Event.Type));
        Assert.All(events, e => Assert.Equal((e.Event.Type, users[0], couponId), (e.Header, e.Event.UserPublicId, e.Event.CouponId)));
        Assert.NotNull(events[0].Event.RequestId);
        Assert.Equal(("order-E", 2000m, 700m), (events[1].Event.OrderId, events[1].Event.OrderAmount, events[1].Event.Discount));
        Assert.Equal(events.Count, events.Select(e => e.Event.EventId).Distinct().Count());
    }

    [Fact]
    public async Task Only_the_order_services_token_uses_or_restores_a_coupon_never_a_shoppers_or_nobodys()
    {
        // A shopper with their own token could restore the coupon of an order already shipped and use it again; with
        // anonymous requests allowed (as on this instance), anyone could burn anyone's coupon.
        var (couponId, users) = await IssuedAsync(Fixed(1000m, minOrder: 0m), people: 1);
        var anonymous = stack.Api.Users;
        var shoppers = new CouponsClient(stack.App.CreateClient().WithToken(TestTokens.For(users[0])));
        Assert.True((await OrderService().UseCouponAsync(couponId, users[0], "order-1", 5000m)).IsSuccess);

        var answers = new[]
        {
            await anonymous.UseCouponAsync(couponId, users[0], "order-2", 5000m),
            await anonymous.RestoreCouponAsync(couponId, users[0], "order-1"),
            await shoppers.UseCouponAsync(couponId, users[0], "order-2", 5000m),
            await shoppers.RestoreCouponAsync(couponId, users[0], "order-1"),
        };

        Assert.Equal([(HttpStatusCode.Unauthorized, "TOKEN_MISSING"), (HttpStatusCode.Unauthorized, "TOKEN_MISSING"), (HttpStatusCode.Forbidden, "ROLE_MISSING"),
            (HttpStatusCode.Forbidden, "ROLE_MISSING")], answers.Select(a => (a.Status, a.Problem?.Code)));
        Assert.Equal("order-1", (await Invariants.AssertRedemptionsHoldAsync(couponId)).Values.Single());
    }

    [Fact]
    public async Task The_order_services_checkouts_are_not_held_to_a_readers_allowance_per_address()
    {
        // Its few addresses carry every checkout: under the reads' 200/s per address they capped the whole shop. Here
        // reads get 5/s per address; 40 uses from one address in a burst must all be served.
        await using var instance = new CouponApiFactory(new Dictionary<string, string?>
        {
            ["Edge:ReadsPerClientPerSecond"] = "5",
            ["Edge:CheckoutPerClientPerSecond"] = "5000",
            ["Kafka:RunConsumer"] = "false",
        });
        var (couponId, users) = await IssuedAsync(Fixed(100m, minOrder: 0m), people: 40);
        var orderService = new CouponsClient(instance.CreateClient().WithToken(TestTokens.OrderService()));

        var answers = await Task.WhenAll(users.Select(user => orderService.UseCouponAsync(couponId, user, $"order-{user}", 1000m)));

        Assert.All(answers, a => Assert.True(a.IsSuccess, a.Problem?.ToString()));
        Assert.Equal(40, (await Invariants.AssertRedemptionsHoldAsync(couponId)).Count);
    }

    /// <summary>The order service, as it calls this instance: its token carries the redeem role.</summary>
    private CouponsClient OrderService() => new(stack.App.CreateClient().WithToken(TestTokens.OrderService()));

    internal static CreateCouponRequest Fixed(decimal amount, decimal minOrder) =>
        new($"redeem {Guid.NewGuid():N}", "FIXED", null, amount, minOrder, 100, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1), 7);

    private static CreateCouponRequest Percentage(decimal rate, decimal cap, decimal minOrder) =>
        new($"redeem {Guid.NewGuid():N}", "PERCENTAGE", rate, null, minOrder, 100, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1), 7, cap);

    /// <summary>
    /// A sale of <paramref name="coupon"/> with one issued coupon for each of <paramref name="people"/> new users.
    /// </summary>
    internal async Task<(long CouponId, IReadOnlyList<string> Users)> IssuedAsync(CreateCouponRequest coupon, int people)
    {
        var couponId = await stack.Api.Operator.CreateCouponAsync(coupon);
        await stack.Api.Operator.OpenAsync(couponId);
        var users = await stack.Api.CreateUsersAsync(people);
        foreach (var user in users)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await stack.Api.IssueAsync(couponId, user)).Status);
        }

        await stack.Api.WaitForDrainAsync(couponId);
        return (couponId, users);
    }

    private static async Task ExpireAsync(long couponId)
    {
        await using var connection = new MySqlConnection(TestStack.MySql);
        await connection.ExecuteAsync("UPDATE user_coupons SET expires_at = @past WHERE coupon_id = @couponId", new { couponId, past = DateTime.UtcNow.AddMinutes(-1) });
    }
}
