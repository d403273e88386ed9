using Coupons.IntegrationTests.Faults;

namespace Coupons.IntegrationTests.Hostile;

/// <summary>
/// Outages longer than any timeout in the stack: the service rides them out and heals, with no restart.
/// </summary>
[Trait("Category", "Hostile")]
[Collection(FaultCollection.Name)]
public sealed class LongOutageTests
{
    /// <summary>
    /// A batch that waits for MariaDB longer than the consumer's max poll interval (shrunk to 8 s here, 5 min by
    /// default) must not cost the consumer its life, nor the process: it keeps its group membership (or rejoins), and
    /// writes the batch once MariaDB is back.
    /// </summary>
    [Fact]
    public async Task A_mysql_outage_longer_than_the_consumer_poll_interval_neither_stops_the_process_nor_loses_a_request()
    {
        var environment = new Dictionary<string, string>
        {
            ["Kafka:ConsumerSessionTimeout"] = "00:00:06",
            ["Kafka:ConsumerMaxPollInterval"] = "00:00:08",
        };
        await using var app = await AppProcess.StartAsync(FreeTcpPort.Find(), environment, "long-mysql-outage");
        var api = new ApiDriver(app.Client, app.Admin);
        var (couponId, users) = await api.OpenSaleAsync(50, 20);

        // The requests wait in Kafka, so the consumer's first batch after the resume meets a database that is gone.
        (await app.Admin.PostAsync("/api/admin/consumer/pause", null)).EnsureSuccessStatusCode();
        var accepted = await Task.WhenAll(users.Select(u => api.IssueAsync(couponId, u)));
        Assert.All(accepted, a => Assert.Equal(HttpStatusCode.Accepted, a.Status));
        await StackControl.StopMySqlAsync();
        try
        {
            (await app.Admin.PostAsync("/api/admin/consumer/resume", null)).EnsureSuccessStatusCode();
            await Task.Delay(TimeSpan.FromSeconds(25)); // the outage itself: three poll intervals with the batch unwritten
            Assert.False(app.HasExited, "the app exited during the outage");
        }
        finally
        {
            await StackControl.StartMySqlAsync();
        }

        var report = await api.WaitForDrainAsync(couponId, TimeSpan.FromSeconds(90));
        Assert.False(app.HasExited, $"the app exited after the outage (exit code {(app.HasExited ? app.ExitCode : 0)})");
        Assert.True(report.Consistent, string.Join("; ", report.Problems));
        await Invariants.AssertHoldAsync(couponId, [.. accepted.Select(a => a.RequestId!.Value)]);
        await ApiDriver.WaitUntilReadyAsync(app.Client, TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// The sale goes on through a MySQL outage (Redis, Kafka and the user registry are up): the coupon definition read
    /// before the outage stands in, and accepted requests wait in Kafka. Bounded: after Issuance:MaxDatabaseOutage
    /// (15 s here, 10 min by default) clicks are refused with 503, so an outage cannot build an unbounded backlog.
    /// </summary>
    [Fact]
    public async Task A_sale_goes_on_through_a_mysql_outage_until_the_configured_bound_then_refuses_with_503()
    {
        var settings = FaultCollection.FastRepair();
        settings["Issuance:MaxDatabaseOutage"] = "00:00:15";
        await using var app = new CouponApiFactory(settings);
        var api = new ApiDriver(app.CreateClient(), app.CreateAdminClient());
        await ApiDriver.WaitUntilReadyAsync(api.Client);
        var (couponId, users) = await api.OpenSaleAsync(100, 20);
        Assert.Equal(HttpStatusCode.Accepted, (await api.IssueAsync(couponId, users[0])).Status); // the definition is read here

        var outage = System.Diagnostics.Stopwatch.StartNew();
        await StackControl.StopMySqlAsync();
        List<IssueAnswer> during;
        IssueAnswer refused;
        try
        {
            await Task.Delay(Left(TimeSpan.FromSeconds(7), outage)); // the 5 s cache of the definition has expired
            during = [.. await Task.WhenAll(users.Skip(1).Take(10).Select(u => api.IssueAsync(couponId, u)))];
            await Task.Delay(Left(TimeSpan.FromSeconds(19), outage)); // past the 15 s bound
            refused = await api.IssueAsync(couponId, users[11]);
        }
        finally
        {
            await StackControl.StartMySqlAsync();
        }

        Assert.All(during, a => Assert.Equal(HttpStatusCode.Accepted, a.Status));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "DATABASE_UNAVAILABLE"), (refused.Status, refused.Code));
        Assert.NotNull(refused.RetryAfter);
        var report = await api.WaitForDrainAsync(couponId, TimeSpan.FromSeconds(90));
        Assert.True(report.Consistent, System.Text.Json.JsonSerializer.Serialize(report));
        var facts = await Invariants.AssertHoldAsync(couponId, [.. during.Select(a => a.RequestId!.Value)]);
        Assert.Equal(11, facts.Rows);
        Assert.Empty(app.ServerErrors.Errors);
    }

    /// <summary>
    /// What is left of <paramref name="target"/> on <paramref name="clock"/>; zero once past it (a negative delay
    /// throws, and -1 ms waits for ever).
    /// </summary>
    private static TimeSpan Left(TimeSpan target, System.Diagnostics.Stopwatch clock) =>
        target > clock.Elapsed ? target - clock.Elapsed : TimeSpan.Zero;
}
