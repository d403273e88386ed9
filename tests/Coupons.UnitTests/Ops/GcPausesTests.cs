using System.Diagnostics;
using System.Diagnostics.Metrics;
using Coupons.Ops;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Coupons.UnitTests.Ops;

public sealed class GcPausesTests
{
    [Fact]
    public async Task A_collection_is_recorded_as_a_pause_of_this_process()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var metrics = new CouponMetrics(meters);
        using var pauses = new MetricCollector<double>(meters, CouponMetrics.MeterName, "coupons.gc.pause");
        using var listener = new GcPauses(metrics);
        await listener.StartAsync(CancellationToken.None);

        // The runtime hands its events to in-process listeners asynchronously: collect until one arrives (bounded).
        var waited = Stopwatch.StartNew();
        while (pauses.GetMeasurementSnapshot().Count == 0 && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            GC.Collect();
            await Task.Delay(50);
        }

        var recorded = pauses.GetMeasurementSnapshot();
        Assert.NotEmpty(recorded);
        Assert.All(recorded, pause => Assert.InRange(pause.Value, 0, 10));
    }
}
