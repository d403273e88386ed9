using Coupons.Infrastructure.Kafka;

namespace Coupons.UnitTests.Infrastructure;

public sealed class ConsumerLagTests
{
    [Fact]
    public void Lag_is_log_end_minus_committed_and_an_uncommitted_partition_counts_from_zero()
    {
        var lag = ConsumerLag.Combine([0, 1, 2], new Dictionary<int, long> { [0] = 10, [1] = 5 }, [(0, 10, false), (1, 8, false), (2, 4, false)]);

        Assert.Equal([0L, 3L, 4L], lag.Select(p => p.Lag));
    }

    [Theory]
    [InlineData(-1L, false)]
    [InlineData(-1001L, false)]
    [InlineData(12L, true)]
    public void An_unknown_log_end_offset_is_never_read_as_no_lag(long end, bool failed) =>
        // "Drained" lets the gate be rebuilt and stock be returned; a failed offset lookup must not claim it.
        Assert.Throws<InvalidOperationException>(() =>
            ConsumerLag.Combine([0, 1], new Dictionary<int, long> { [0] = 10, [1] = 10 }, [(0, 10, false), (1, end, failed)]));

    [Fact]
    public void A_partition_missing_from_the_answer_makes_the_lag_unknown() =>
        Assert.Throws<InvalidOperationException>(() =>
            ConsumerLag.Combine([0, 1], new Dictionary<int, long>(), [(0, 0, false)]));
}
