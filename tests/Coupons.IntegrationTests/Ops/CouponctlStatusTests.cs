using Coupons.Cli;
using Coupons.Cli.Status;
using Coupons.IntegrationTests.Faults;
using MySqlConnector;
using Spectre.Console;

namespace Coupons.IntegrationTests.Ops;

/// <summary>
/// <c>couponctl status</c> against a real app on the test stack: OK while everything is up, P0 naming the MySQL runbook
/// once MariaDB stops. The app gets a database, topics and a consumer group of its own, so what other tests left
/// behind (dead letters, open coupons) does not colour its verdict.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class CouponctlStatusTests
{
    [Fact]
    public async Task Status_goes_from_ok_to_p0_when_mariadb_stops_and_names_the_mysql_runbook()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var database = $"coupons_cli_{run}";
        await ExecuteAsync($"CREATE DATABASE {database} CHARACTER SET utf8mb4");
        try
        {
            await RunAsync(run, database);
        }
        finally
        {
            await ExecuteAsync($"DROP DATABASE IF EXISTS {database}"); // MariaDB is running again by now
        }
    }

    private static async Task RunAsync(string run, string database)
    {

        await using var app = await AppProcess.StartAsync(FreeTcpPort.Find(), new Dictionary<string, string>
        {
            ["Database:ConnectionString"] = new MySqlConnectionStringBuilder(TestStack.MySql) { Database = database }.ConnectionString,
            ["Kafka:Topic"] = $"coupon.issue.requested.cli-{run}",
            ["Kafka:DeadLetterTopic"] = $"coupon.issue.requested.cli-{run}.dlq",
            ["Kafka:ConsumerGroup"] = $"coupon-issue-cli-{run}",
        }, "couponctl");
        var targets = new Targets(new Uri($"http://127.0.0.1:{app.Port}"), new Uri($"http://127.0.0.1:{app.Port}"), TestStack.AdminKey, null);

        var (okCode, okScreen) = await StatusAsync(targets);
        Assert.True(okCode == 0, $"expected OK before the fault, got exit {okCode}:\n{okScreen}");
        Assert.Contains("OK", okScreen, StringComparison.Ordinal);

        await StackControl.StopMySqlAsync();
        try
        {
            var (code, screen) = await Eventually.MatchesAsync(() => StatusAsync(targets), s => s.Code == 10, TimeSpan.FromSeconds(60),
                "status never said P0 while MariaDB was stopped");
            Assert.Contains("P0", screen, StringComparison.Ordinal);
            Assert.Contains("docs/runbooks/CouponsMySQLDown.md", screen, StringComparison.Ordinal);
            Assert.Contains("db is DOWN", screen, StringComparison.Ordinal);
        }
        finally
        {
            await StackControl.StartMySqlAsync();
        }
    }

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new MySqlConnection(TestStack.MySql);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<(int Code, string Screen)> StatusAsync(Targets targets)
    {
        using var screen = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(screen),
        });
        console.Profile.Width = 240;
        var code = await StatusCommand.RunAsync(console, targets, watch: false, TimeSpan.FromSeconds(1), CancellationToken.None);
        return (code, screen.ToString());
    }
}
