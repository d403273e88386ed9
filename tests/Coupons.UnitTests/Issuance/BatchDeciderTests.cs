using Coupons.Issuance;

namespace Coupons.UnitTests.Issuance;

public sealed class BatchDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static IssueRequested Request(long userId, long couponId = 1) => new(Guid.CreateVersion7(), couponId, userId, $"u-{userId}", Now);

    private static Dictionary<long, CouponStock> Coupon(int total, int issued = 0) =>
        new() { [1] = new CouponStock { Id = 1, TotalQuantity = total, IssuedQuantity = issued, ValidityDays = 7 } };

    [Fact]
    public void The_first_requests_in_kafka_order_get_the_remaining_stock()
    {
        var requests = Enumerable.Range(1, 5).Select(u => Request(u)).ToList();

        var plan = BatchDecider.Decide(requests, Coupon(total: 10, issued: 7), new Dictionary<(long, long), Guid>());

        Assert.Equal(["ISSUED", "ISSUED", "ISSUED", "REJECTED", "REJECTED"], plan.Decisions.Select(d => d.Status));
        Assert.All(plan.Decisions.Skip(3), d => Assert.Equal(RejectReason.SoldOut, d.Reason));
        Assert.Equal(requests.Take(3), plan.NewRows);
        Assert.Equal(3, plan.Increments[1]);
    }

    [Fact]
    public void A_user_gets_one_coupon_even_with_two_requests_in_one_batch()
    {
        var first = Request(7);
        var second = Request(7);

        var plan = BatchDecider.Decide([first, second], Coupon(10), new Dictionary<(long, long), Guid>());

        Assert.Equal((RequestStatus.Issued, (string?)null), (plan.Decisions[0].Status, plan.Decisions[0].Reason));
        Assert.Equal((RequestStatus.Rejected, RejectReason.Duplicate), (plan.Decisions[1].Status, plan.Decisions[1].Reason));
        Assert.Single(plan.NewRows);
    }

    [Fact]
    public void A_request_that_already_holds_its_row_is_a_replay_issued_without_a_new_row()
    {
        var replay = Request(3);

        var plan = BatchDecider.Decide([replay], Coupon(10, issued: 1), new Dictionary<(long, long), Guid> { [(1, 3)] = replay.RequestId });

        Assert.Equal(RequestStatus.Issued, Assert.Single(plan.Decisions).Status);
        Assert.Empty(plan.NewRows);
        Assert.Empty(plan.Increments);
    }

    [Fact]
    public void A_user_holding_the_coupon_through_another_request_is_rejected()
    {
        var plan = BatchDecider.Decide([Request(3)], Coupon(10, issued: 1), new Dictionary<(long, long), Guid> { [(1, 3)] = Guid.CreateVersion7() });

        Assert.Equal(RejectReason.Duplicate, Assert.Single(plan.Decisions).Reason);
        Assert.Empty(plan.NewRows);
    }

    [Fact]
    public void A_request_for_a_missing_coupon_is_rejected()
    {
        var plan = BatchDecider.Decide([Request(3, couponId: 99)], Coupon(10), new Dictionary<(long, long), Guid>());

        Assert.Equal(RejectReason.CouponNotFound, Assert.Single(plan.Decisions).Reason);
    }

    [Fact]
    public void A_sold_out_coupon_issues_nothing()
    {
        var plan = BatchDecider.Decide([Request(1), Request(2)], Coupon(total: 3, issued: 3), new Dictionary<(long, long), Guid>());

        Assert.All(plan.Decisions, d => Assert.Equal(RejectReason.SoldOut, d.Reason));
        Assert.Empty(plan.Increments);
    }
}
