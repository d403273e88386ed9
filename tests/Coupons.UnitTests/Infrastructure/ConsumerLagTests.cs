using Coupons.Infrastructure.Kafka;

namespace Coupons.UnitTests.Infrastructure;

public sealed class ConsumerLagTests
{
    private static readonly Dictionary<int, long> StartsAtZero = new() { [0] = 0, [1] = 0, [2] = 0 };

    [Fact]
    public void Lag_is_log_end_minus_committed()
    {
        var lag = ConsumerLag.Combine([0, 1, 2], new Dictionary<int, long> { [0] = 10, [1] = 5, [2] = 4 }, StartsAtZero, Ends((0, 10), (1, 8), (2, 4)));

        Assert.Equal([0L, 3L, 0L], lag.Select(p => p.Lag));
    }

    /// <summary>
    /// With no committed offset (a new group, or its offsets expired) the consumer starts at the log start
    /// (auto.offset.reset=earliest), not at 0: what retention deleted is not waiting for it. Counting from 0 read a
    /// partition whose messages had all expired as lagging forever, and the pipeline never as drained.
    /// </summary>
    [Fact]
    public void An_uncommitted_partition_counts_from_its_log_start()
    {
        var lag = ConsumerLag.Combine([0, 1], new Dictionary<int, long>(), new Dictionary<int, long> { [0] = 500, [1] = 100 }, Ends((0, 500), (1, 130)));

        Assert.Equal([0L, 30L], lag.Select(p => p.Lag));
        Assert.Equal([500L, 100L], lag.Select(p => p.Position));
    }

    [Fact]
    public void A_commit_below_the_log_start_counts_from_the_log_start() =>
        Assert.Equal(20, ConsumerLag.Combine([0], new Dictionary<int, long> { [0] = 3 }, new Dictionary<int, long> { [0] = 80 }, Ends((0, 100))).Single().Lag);

    [Theory]
    [InlineData(-1L, false)]
    [InlineData(-1001L, false)]
    [InlineData(12L, true)]
    public void An_unknown_log_end_offset_is_never_read_as_no_lag(long end, bool failed) =>
        // "Drained" lets the gate be rebuilt and stock be returned; a failed offset lookup must not claim it.
        Assert.Throws<InvalidOperationException>(() =>
            ConsumerLag.Combine([0, 1], new Dictionary<int, long> { [0] = 10, [1] = 10 }, StartsAtZero, [(0, 10, false), (1, end, failed)]));

    [Fact]
    public void A_partition_missing_from_the_answer_makes_the_lag_unknown() =>
        Assert.Throws<InvalidOperationException>(() =>
            ConsumerLag.Combine([0, 1], new Dictionary<int, long>(), StartsAtZero, Ends((0, 0))));

    [Fact]
    public void A_partition_without_a_log_start_makes_the_lag_unknown() =>
        Assert.Throws<InvalidOperationException>(() =>
            ConsumerLag.Combine([0, 1], new Dictionary<int, long>(), new Dictionary<int, long> { [0] = 0 }, Ends((0, 0), (1, 5))));

    private static IEnumerable<(int, long, bool)> Ends(params (int Partition, long End)[] ends) => ends.Select(e => (e.Partition, e.End, false));
}
