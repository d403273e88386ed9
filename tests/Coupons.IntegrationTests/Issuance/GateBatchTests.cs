using System.Diagnostics.Metrics;
using Coupons.Gate;
using Coupons.Infrastructure.Redis;
using Coupons.Ops;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Coupons.IntegrationTests.Issuance;

/// <summary>
/// The gate deciding several clicks in one script call (take.lua, GateBatcher), against the real redis-server.
/// </summary>
[Trait("Category", "Issuance")]
[Collection(StackCollection.Name)]
public sealed class GateBatchTests(StackFixture stack)
{
    private StockGate Gate => stack.App.Services.GetRequiredService<StockGate>();

    [Fact]
    public async Task One_call_decides_each_click_in_order_across_coupons_as_if_they_came_one_by_one()
    {
        var scarce = await stack.Api.CreateOpenCouponAsync(1);
        var plenty = await stack.Api.CreateOpenCouponAsync(5);
        var notOpen = await stack.Api.CreateOpenCouponAsync(5, open: false);
        var (ann, bob, nobody) = (UniqueUser(), UniqueUser(), UniqueUser());
        var ids = Enumerable.Range(0, 6).Select(_ => Guid.CreateVersion7()).ToArray();

        var decisions = await Gate.TryTakeAsync(
        [
            new(scarce, ann, ids[0], KnownUserId: 11),   // registers ann, takes the only unit
            new(scarce, ann, ids[1]),                    // ann again, same batch: her first request
            new(scarce, bob, ids[2], KnownUserId: 12),   // registers bob; nothing left
            new(plenty, nobody, ids[3]),                 // not registered, no id given
            new(plenty, bob, ids[4]),                    // bob is known from the click before
            new(notOpen, ann, ids[5]),                   // that gate was never opened
        ]);

        Assert.Equal(
            [
                new(GateVerdict.Accepted, ids[0], 11),
                new(GateVerdict.Duplicate, ids[0], 11),
                new(GateVerdict.SoldOut, Guid.Empty, 12),
                new(GateVerdict.UnknownUser, Guid.Empty, 0),
                new(GateVerdict.Accepted, ids[4], 12),
                new GateDecision(GateVerdict.NotReady, Guid.Empty, 11),
            ],
            decisions);

        // A retried call (the first timed out but ran) finds the click's own request: the unit is still that click's.
        Assert.Equal([new GateDecision(GateVerdict.Duplicate, ids[0], 11)], await Gate.TryTakeAsync([new(scarce, ann, ids[0])]));

        Assert.True(await Gate.ReleaseAsync(scarce, ids[0]));
        Assert.True(await Gate.ReleaseAsync(plenty, ids[4]));
    }

    [Fact]
    public async Task Two_thousand_simultaneous_clicks_take_exactly_the_stock_in_fewer_calls_than_clicks()
    {
        const int Clicks = 2_000, Stock = 100, MaxBatch = 64;
        var couponId = await stack.Api.CreateOpenCouponAsync(Stock);
        await using var own = new OwnBatcher(Gate, new GateOptions { MaxBatch = MaxBatch, CallsInFlight = 2 });
        using var batchSizes = new MetricCollector<int>(own.Meters, CouponMetrics.MeterName, "coupons.gate.batch.size");
        var batcher = own.Batcher;

        var clicks = Enumerable.Range(0, Clicks).Select(i => new GateClick(couponId, UniqueUser(), Guid.CreateVersion7(), KnownUserId: 1_000_000 + i)).ToList();
        var decisions = await Task.WhenAll(clicks.Select(batcher.TakeAsync));

        var accepted = clicks.Zip(decisions).Where(c => c.Second.Verdict == GateVerdict.Accepted).ToList();
        Assert.Equal(Stock, accepted.Count);
        Assert.All(accepted, c => Assert.Equal(c.First.RequestId, c.Second.RequestId));
        Assert.Equal(Clicks - Stock, decisions.Count(d => d.Verdict == GateVerdict.SoldOut));

        var batches = batchSizes.GetMeasurementSnapshot().Select(m => m.Value).ToList();
        Assert.Equal(Clicks, batches.Sum());
        Assert.All(batches, size => Assert.InRange(size, 1, MaxBatch));
        Assert.True(batches.Count < Clicks, $"{batches.Count} script calls for {Clicks} clicks: nothing was batched");

        foreach (var (click, _) in accepted)
        {
            Assert.True(await Gate.ReleaseAsync(couponId, click.RequestId));
        }
    }

    [Fact]
    public async Task When_Redis_cannot_answer_every_click_in_the_batch_fails_as_unavailable_and_the_circuit_opens()
    {
        // Nothing listens on port 1: configured like the app's connection (fail at once while disconnected), every
        // call fails fast, as when redis-server is down.
        var config = ConfigurationOptions.Parse("127.0.0.1:1,abortConnect=false,connectTimeout=200,asyncTimeout=300");
        config.BacklogPolicy = BacklogPolicy.FailFast;
        await using var unreachable = await ConnectionMultiplexer.ConnectAsync(config);
        await using var own = new OwnBatcher(new StockGate(unreachable), new GateOptions());
        var (batcher, circuit) = (own.Batcher, own.Circuit);

        var clicks = Enumerable.Range(0, 20).Select(i => batcher.TakeAsync(new GateClick(1, UniqueUser(), Guid.CreateVersion7()))).ToList();

        foreach (var click in clicks)
        {
            var failure = await Assert.ThrowsAnyAsync<Exception>(() => click);
            Assert.True(RedisCircuit.IsUnavailable(failure), failure.GetType().Name);
        }

        // A failed batch counts against the circuit like a failed single call did: once enough calls failed it opens,
        // and clicks fail fast without waiting on Redis. One click at a time, so each is a call of its own.
        for (var call = 0; circuit.State.CircuitState == Polly.CircuitBreaker.CircuitState.Closed && call < 10; call++)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => batcher.TakeAsync(new GateClick(1, UniqueUser(), Guid.CreateVersion7())));
        }

        Assert.Equal(Polly.CircuitBreaker.CircuitState.Open, circuit.State.CircuitState);
        var fast = await Assert.ThrowsAnyAsync<Exception>(() => batcher.TakeAsync(new GateClick(1, UniqueUser(), Guid.CreateVersion7())));
        Assert.IsType<Polly.CircuitBreaker.BrokenCircuitException>(fast);
    }

    /// <summary>A GateBatcher wired as the app wires it, but with a circuit and meters of its own.</summary>
    private sealed class OwnBatcher : IAsyncDisposable
    {
        private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        private readonly CouponMetrics _metrics;

        public OwnBatcher(StockGate gate, GateOptions options)
        {
            Meters = _services.GetRequiredService<IMeterFactory>();
            _metrics = new CouponMetrics(Meters);
            var uncertain = new UncertainTakesLoop(gate, _metrics, TimeProvider.System, NullLogger<UncertainTakesLoop>.Instance);
            Batcher = new GateBatcher(gate, Circuit, _metrics, uncertain, Options.Create(options));
        }

        public IMeterFactory Meters { get; }

        public RedisCircuit Circuit { get; } = new(Options.Create(new RedisOptions()), NullLogger<RedisCircuit>.Instance);

        public GateBatcher Batcher { get; }

        public async ValueTask DisposeAsync()
        {
            await Batcher.DisposeAsync();
            _metrics.Dispose();
            await _services.DisposeAsync();
        }
    }

    private static string UniqueUser() => "gate-" + Guid.NewGuid().ToString("N")[..20];
}
