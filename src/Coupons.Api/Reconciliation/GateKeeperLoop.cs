using Coupons.Catalog;
using Coupons.Gate;
using Coupons.Infrastructure;
using Coupons.Infrastructure.Kafka;
using Coupons.Infrastructure.Redis;
using Coupons.Issuance;

namespace Coupons.Reconciliation;

/// <summary>
/// Keeps a trusted gate in front of every open coupon. A missing gate (an event that just started, Redis restarted
/// empty, or gates thrown away because Redis lost history: <see cref="GateTrustVerifier"/>) is rebuilt from the
/// database, but only once every publish that might still have been in flight has had time to land and the pipeline has
/// delivered everything the coupon accepted (<see cref="PipelineDrain"/>), so the database already holds all that Redis
/// had accepted. Until then FCFS answers 503 GATE_NOT_READY. No app restart is ever needed.
/// </summary>
public sealed partial class GateKeeperLoop(
    CouponRepository coupons,
    GateInspector gate,
    GateTrustVerifier trust,
    EventOpener opener,
    PipelineDrain drain,
    IOptions<KafkaOptions> kafka,
    IOptions<ReconciliationOptions> options,
    IOptions<GateOptions> gateOptions,
    Ops.CouponMetrics metrics,
    TimeProvider clock,
    ILogger<GateKeeperLoop> logger) : BackgroundService
{
    /// <summary>
    /// Gates rebuilt in one round at most; a round that rebuilt hundreds would hold back every event that becomes due
    /// meanwhile.
    /// </summary>
    public const int MaxRebuildsPerRound = 8;

    private readonly Dictionary<long, MissingGate> _missing = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.GateCheckInterval, clock);
        while (await timer.TickAsync(stoppingToken))
        {
            await BackgroundRound.RunAsync(CheckAsync, ex => ex is System.Data.Common.DbException || RedisCircuit.IsUnavailable(ex), logger, nameof(GateKeeperLoop), stoppingToken);
        }
    }

    private async Task CheckAsync(CancellationToken ct)
    {
        await trust.EnsureTrustedAsync(ct); // a Redis that lost history has its gates thrown away here, then rebuilt below
        var now = clock.GetUtcNow();
        var settle = kafka.Value.DeliveryTimeout + TimeSpan.FromSeconds(1);
        IReadOnlyList<PartitionLag>? positions = null; // read once per round, and only if a gate is due: a broker round trip
        IReadOnlySet<long>? parked = null;             // likewise: one query for all coupons, not one per missing gate
        var due = new List<long>();
        var open = await coupons.ListOpenAsync(now.UtcDateTime, gateOptions.Value.ClockSkewMargin, ct); // open by any instance's clock
        foreach (var gone in _missing.Keys.Where(id => open.All(c => c.Id != id)).ToList())
        {
            _missing.Remove(gone); // ended meanwhile
        }

        foreach (var coupon in open)
        {
            if (await gate.MissingForAsync(coupon.Id, coupon.StartDate) is not { } absence)
            {
                _missing.Remove(coupon.Id);
                continue;
            }

            if ((parked ??= await drain.CouponsWithParkedAsync(ct)) is not { } parkedNow)
            {
                break; // the database cannot say; next round
            }

            if (absence.NeverExisted && !parkedNow.Contains(coupon.Id))
            {
                // Nothing was ever accepted for it: nothing to settle or drain. Waiting for the whole topic kept a new
                // event shut for as long as another coupon's requests queued there (hostile review 2, issue 21).
                due.Add(coupon.Id);
                continue;
            }

            // While a gate is missing nothing new is accepted for its coupon. Once every publish that was in flight has
            // landed (settle) and none of its requests is parked, a mark of where the topic ends covers all of them;
            // the gate is rebuilt once the consumer group is past that mark, however busy other coupons keep the topic.
            // How long it has been missing is Redis's to say: a gate that never existed (a new event) has nothing to
            // settle, and its first clicks waited 4-7 s on 503 GATE_NOT_READY for nothing (hostile review, issue 21).
            var missing = _missing.TryGetValue(coupon.Id, out var seen) ? seen : _missing[coupon.Id] = new MissingGate(now - absence.For);
            if (now - missing.Since < settle)
            {
                continue;
            }

            if (parkedNow.Contains(coupon.Id))
            {
                missing.Mark = null; // a parked request goes to Kafka later: mark after it has
                continue;
            }

            // Read after the parked check: a request relayed from the parked table before it is inside the mark.
            if ((positions ??= await drain.ReadPositionsAsync()) is not { } topic)
            {
                break; // Kafka cannot say where the group is; next round
            }

            // A mark taken now is already passed when the group has caught up: nothing to wait for.
            missing.Mark ??= PipelineDrain.Mark(topic);
            if (PipelineDrain.IsPast(topic, missing.Mark))
            {
                due.Add(coupon.Id);
            }
        }

        // Newest events first, a few at a time, and only a few per round: after Redis lost everything, hundreds of old
        // coupons (one with hundreds of thousands of holders) must not keep an event starting now waiting behind them.
        // The rest stay due (their mark is passed) and go first in the next rounds, a second apart.
        var rebuildNow = due.OrderByDescending(id => id).Take(MaxRebuildsPerRound).ToList();
        foreach (var couponId in rebuildNow)
        {
            _missing.Remove(couponId);
        }

        await Parallel.ForEachAsync(rebuildNow, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (couponId, token) =>
        {
            if (await opener.OpenAsync(couponId, token) is { Result: GateOpenResult.Opened } opened)
            {
                metrics.GateRebuilds.Add(1);
                GateRebuilt(logger, couponId, opened.State.RemainingStock ?? 0, opened.State.AcceptedRequests);
            }
        });
    }

    /// <summary>
    /// A gate seen missing since <see cref="Since"/>; <see cref="Mark"/> is what the consumer group must get past
    /// before it is rebuilt.
    /// </summary>
    private sealed class MissingGate(DateTimeOffset since)
    {
        public DateTimeOffset Since { get; } = since;

        public DrainMark? Mark { get; set; }
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Gate for coupon {CouponId} was missing and is rebuilt from the database: {Remaining} left, {Holders} holders")]
    private static partial void GateRebuilt(ILogger logger, long couponId, long remaining, long holders);
}
