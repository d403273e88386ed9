using Coupons.Consumer;
using Coupons.Ledger;
using Coupons.Requests;

namespace Coupons.UnitTests.Consumer;

public sealed class BatchDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Every user the tests' requests name exists, with the publicId the requests carry.</summary>
    private static readonly Dictionary<long, string> Users = Enumerable.Range(1, 10).ToDictionary(id => (long)id, id => $"u-{id}");

    private static readonly Dictionary<Guid, DecidedRequest> NothingDecided = [];
    private static readonly Dictionary<(long, long), Guid> NoHolders = [];

    private static IssueRequested Request(long userId, long couponId = 1) => new(Guid.CreateVersion7(), couponId, userId, $"u-{userId}", Now);

    private static Dictionary<long, CouponStock> Coupon(int total, int issued = 0) =>
        new() { [1] = new CouponStock { Id = 1, TotalQuantity = total, IssuedQuantity = issued, ValidityDays = 7 } };

    private static BatchPlan Decide(IReadOnlyList<IssueRequested> batch, Dictionary<long, CouponStock> coupons, Dictionary<(long, long), Guid>? holders = null) =>
        BatchDecider.Decide(batch, NothingDecided, coupons, Users, holders ?? NoHolders);

    [Fact]
    public void The_first_requests_in_kafka_order_get_the_remaining_stock()
    {
        var requests = Enumerable.Range(1, 5).Select(u => Request(u)).ToList();

        var plan = Decide(requests, Coupon(total: 10, issued: 7));

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

        var plan = Decide([first, second], Coupon(10));

        Assert.Equal((RequestStatus.Issued, (string?)null), (plan.Decisions[0].Status, plan.Decisions[0].Reason));
        Assert.Equal((RequestStatus.Rejected, RejectReason.Duplicate), (plan.Decisions[1].Status, plan.Decisions[1].Reason));
        Assert.Single(plan.NewRows);
    }

    [Fact]
    public void A_request_that_already_holds_its_row_is_a_replay_issued_without_a_new_row()
    {
        var replay = Request(3);

        var plan = Decide([replay], Coupon(10, issued: 1), new Dictionary<(long, long), Guid> { [(1, 3)] = replay.RequestId });

        Assert.Equal(RequestStatus.Issued, Assert.Single(plan.Decisions).Status);
        Assert.Empty(plan.NewRows);
        Assert.Empty(plan.Increments);
    }

    [Fact]
    public void A_user_holding_the_coupon_through_another_request_is_rejected()
    {
        var plan = Decide([Request(3)], Coupon(10, issued: 1), new Dictionary<(long, long), Guid> { [(1, 3)] = Guid.CreateVersion7() });

        Assert.Equal(RejectReason.Duplicate, Assert.Single(plan.Decisions).Reason);
        Assert.Empty(plan.NewRows);
    }

    [Fact]
    public void A_sold_out_coupon_issues_nothing()
    {
        var plan = Decide([Request(1), Request(2)], Coupon(total: 3, issued: 3));

        Assert.All(plan.Decisions, d => Assert.Equal(RejectReason.SoldOut, d.Reason));
        Assert.Empty(plan.Increments);
    }

    [Theory]
    [InlineData(99, 3, "u-3", DeadLetterReason.UnknownCoupon)]
    [InlineData(1, 999, "u-999", DeadLetterReason.UnknownUser)]
    [InlineData(1, 3, "u-4", DeadLetterReason.PublicIdMismatch)]
    public void A_message_that_can_never_be_applied_is_set_aside_and_the_rest_of_the_batch_is_decided(long couponId, long userId, string publicId, string reason)
    {
        var forged = new IssueRequested(Guid.CreateVersion7(), couponId, userId, publicId, Now);
        var real = Request(5);

        var plan = Decide([forged, real], Coupon(10));

        var setAside = Assert.Single(plan.Unappliable);
        Assert.Equal((forged, reason), (setAside.Request, setAside.Reason));
        Assert.Equal(new IssueDecision(real.RequestId, RequestStatus.Issued, null), Assert.Single(plan.Decisions));
        Assert.Equal([real], plan.NewRows);
    }

    [Fact]
    public void A_public_id_in_another_casing_is_the_same_user()
    {
        var plan = Decide([Request(3) with { PublicId = "U-3" }], Coupon(10));

        Assert.Empty(plan.Unappliable);
        Assert.Equal(RequestStatus.Issued, Assert.Single(plan.Decisions).Status);
    }

    [Fact]
    public void Every_copy_of_a_forged_message_is_set_aside_and_every_copy_of_a_real_one_shares_its_one_decision()
    {
        var forged = new IssueRequested(Guid.CreateVersion7(), 1, 999, "ghost", Now);
        var real = Request(2);

        var plan = Decide([forged, real, forged with { }, real with { }, forged with { }], Coupon(10));

        Assert.Equal(3, plan.Unappliable.Count);
        Assert.All(plan.Unappliable, u => Assert.Equal(DeadLetterReason.UnknownUser, u.Reason));
        Assert.Equal(3, plan.Unappliable.Select(u => u.Request).Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.Equal([new IssueDecision(real.RequestId, RequestStatus.Issued, null)], plan.Decisions);
        Assert.Single(plan.NewRows);
    }

    [Fact]
    public void A_request_id_used_again_for_another_user_is_set_aside_and_the_first_use_stands()
    {
        var real = Request(2);
        var altered = real with { UserId = 3, PublicId = "u-3" };

        var plan = Decide([real, altered], Coupon(10));

        Assert.Equal([new IssueDecision(real.RequestId, RequestStatus.Issued, null)], plan.Decisions);
        Assert.Equal((altered, DeadLetterReason.RequestIdConflict), (Assert.Single(plan.Unappliable).Request, plan.Unappliable[0].Reason));
    }

    [Fact]
    public void A_request_decided_before_keeps_its_decision_and_an_altered_replay_of_it_is_set_aside()
    {
        var real = Request(2);
        var earlier = new DecidedRequest(new IssueDecision(real.RequestId, RequestStatus.Issued, null), real.CouponId, real.UserId);
        var decided = new Dictionary<Guid, DecidedRequest> { [real.RequestId] = earlier };

        var replay = BatchDecider.Decide([real with { }], decided, Coupon(10, issued: 1), Users, NoHolders);
        var altered = BatchDecider.Decide([real with { UserId = 4, PublicId = "u-4" }], decided, Coupon(10, issued: 1), Users, NoHolders);

        Assert.Equal([earlier.Decision], replay.Decisions);
        Assert.Empty(replay.NewRows);
        Assert.Empty(altered.Decisions);
        Assert.Equal(DeadLetterReason.RequestIdConflict, Assert.Single(altered.Unappliable).Reason);
    }
}
