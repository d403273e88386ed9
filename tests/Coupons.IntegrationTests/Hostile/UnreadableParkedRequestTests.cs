using Coupons.Client;
using Coupons.IntegrationTests.Faults;
using Dapper;
using MySqlConnector;

namespace Coupons.IntegrationTests.Hostile;

/// <summary>
/// A parked request the relay cannot read (a row another release wrote, one edited by hand, corrupted) is moved to the
/// dead-letter topic with its reason and leaves the table; the relay and the app go on. Found by MigrationStepTests on
/// 2026-12-07: such a row made the relay's loop throw, the host stopped (exit 134), and every restart met it again.
/// </summary>
[Trait("Category", "Hostile")]
[Collection(FaultCollection.Name)]
public sealed class UnreadableParkedRequestTests
{
    [Fact]
    public async Task An_unreadable_parked_row_is_dead_lettered_and_the_app_keeps_running()
    {
        await using var stack = await PrivateStack.CreateAsync();
        await using var app = await AppProcess.StartAsync(FreeTcpPort.Find(), stack.AppSettings, "parked-poison");
        await using (var db = new MySqlConnection(stack.MySql))
        {
            await db.ExecuteAsync(
                "INSERT INTO parked_requests (request_id, coupon_id, payload, parked_at, attempts) VALUES (@id, 11, @payload, UTC_TIMESTAMP(6), 0)",
                new { id = "0b6f2c56-dead-4000-8000-00000000beef", payload = "{\"couponId\":11}" });
        }

        await Eventually.TrueAsync(async () =>
        {
            Assert.False(app.HasExited, $"the app stopped on an unreadable parked row (exit {(app.HasExited ? app.ExitCode : 0)}); see {app.LogPath}");
            await using var db = new MySqlConnection(stack.MySql);
            return await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM parked_requests") == 0;
        }, TimeSpan.FromSeconds(30), "the unreadable parked row never left the table");

        var letters = await new CouponsAdminClient(app.Admin).DeadLettersAsync(10);
        var letter = Assert.Single(letters);
        Assert.Equal(("parked_requests/0b6f2c56-dead-4000-8000-00000000beef", "{\"couponId\":11}"), (letter.Source, letter.Payload));
        Assert.Contains("missing requestId", letter.Error, StringComparison.Ordinal);
        using var live = await app.Client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.False(app.HasExited);
    }
}
