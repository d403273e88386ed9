using Coupons.IntegrationTests.Issuance;

namespace Coupons.IntegrationTests.Ops;

/// <summary>design.md §6, scenario 6 (APM / telemetry backend down): an OTLP endpoint that refuses connections changes
/// nothing for users.</summary>
[Trait("Category", "Ops")]
[Collection(StackCollection.Name)]
public sealed class DeadTelemetryBackendTests
{
    [Fact]
    public async Task Issuance_works_with_the_trace_exporter_pointing_at_a_dead_port()
    {
        var deadPort = FreeTcpPort.Find(); // nothing listens there once the probe socket is closed
        await using var app = new CouponApiFactory(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{deadPort}",
        });
        var api = new ApiDriver(app.CreateClient(), app.CreateAdminClient());
        var (couponId, users) = await api.OpenSaleAsync(100, 1_000);

        var answers = await Race.RunAsync(couponId, users, 1, [api.Client]);

        Assert.Equal(100, answers.Count(a => a.Answer.Status == HttpStatusCode.Accepted));
        Assert.All(answers.Where(a => a.Answer.Status != HttpStatusCode.Accepted), a => Assert.Equal("SOLD_OUT", a.Answer.Code));
        await api.WaitForDrainAsync(couponId);
        await Invariants.AssertHoldAsync(couponId, answers.Where(a => a.Answer.Status == HttpStatusCode.Accepted).Select(a => a.Answer.RequestId!.Value).ToList());
        Assert.Empty(app.ServerErrors.Errors);
    }
}
