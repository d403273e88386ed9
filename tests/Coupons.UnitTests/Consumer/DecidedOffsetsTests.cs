using Confluent.Kafka;
using Coupons.Consumer;

namespace Coupons.UnitTests.Consumer;

public sealed class DecidedOffsetsTests
{
    private static readonly TopicPartition P0 = new("requests", 0);
    private static readonly TopicPartition P1 = new("requests", 1);

    [Fact]
    public void A_refused_commit_stays_pending_for_the_partitions_still_owned()
    {
        var decided = new DecidedOffsets();
        decided.Decided([new TopicPartitionOffset(P0, 10), new TopicPartitionOffset(P1, 7)]);

        Assert.Equal([new TopicPartitionOffset(P0, 10)], decided.Pending([P0]));
        Assert.Equal(2, decided.Pending([P0, P1]).Count);
    }

    [Fact]
    public void An_offset_never_moves_backwards()
    {
        var decided = new DecidedOffsets();
        decided.Decided([new TopicPartitionOffset(P0, 10)]);
        decided.Decided([new TopicPartitionOffset(P0, 4)]);

        Assert.Equal([new TopicPartitionOffset(P0, 10)], decided.Pending([P0]));
    }

    [Fact]
    public void A_commit_clears_what_it_covered_and_keeps_a_later_decision()
    {
        var decided = new DecidedOffsets();
        decided.Decided([new TopicPartitionOffset(P0, 10), new TopicPartitionOffset(P1, 7)]);
        decided.Committed([new TopicPartitionOffset(P0, 10), new TopicPartitionOffset(P1, 5)]);

        Assert.Equal([new TopicPartitionOffset(P1, 7)], decided.Pending([P0, P1]));
    }

    [Fact]
    public void A_partition_that_left_this_member_is_forgotten()
    {
        var decided = new DecidedOffsets();
        decided.Decided([new TopicPartitionOffset(P0, 10), new TopicPartitionOffset(P1, 7)]);

        decided.KeepOnly([P1]);
        Assert.Empty(decided.Pending([P0]));
        decided.Forget([P1]);
        Assert.False(decided.Any);
    }
}
