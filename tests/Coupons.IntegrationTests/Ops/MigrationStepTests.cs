using Coupons.Infrastructure.Database;
using Coupons.IntegrationTests.Data;
using Coupons.IntegrationTests.Faults;
using MySqlConnector;

namespace Coupons.IntegrationTests.Ops;

/// <summary>
/// The production order on a database an older release created: a replica whose user may only read and write data
/// refuses to start in one line, the migration step runs as a user allowed DDL (and fails as the replica's), and the
/// replica then starts on the same data-only user and serves what the old release wrote.
/// </summary>
[Trait("Category", "Ops")]
[Collection(FaultCollection.Name)]
public sealed class MigrationStepTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_replica_refuses_an_old_schema_in_one_line_until_the_migration_step_ran_then_serves_the_old_data()
    {
        await using var stack = await PrivateStack.CreateAsync();
        var builder = new MySqlConnectionStringBuilder(stack.MySql);
        MySqlConnectionFactory.ApplyConventions(builder);
        await using (var legacy = new MySqlConnectionFactory(new MySqlDataSourceBuilder(builder.ConnectionString).Build()))
        {
            await SchemaMigrationTests.ApplyLegacySchemaAsync(legacy, "mysql");
            await SchemaMigrationTests.InsertOneOfEverythingAsync(legacy);
        }

        var replica = new Dictionary<string, string>(stack.AppSettings)
        {
            ["ConnectionStrings:coupons"] = await stack.CreateDataOnlyUserAsync(),
            ["Database:MigrateAtStart"] = "false",
        };

        var refusal = await AppProcess.RunToExitAsync(replica, ExitTimeout);

        Assert.Equal(SchemaBehindException.ExitCode, refusal.ExitCode);
        var line = Assert.Single(refusal.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        // Checked before the host starts, so its log (stdout) has no start-up failure and no stack trace either.
        Assert.DoesNotContain("Hosting failed to start", refusal.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("SchemaBehindException", refusal.StandardOutput, StringComparison.Ordinal);
        Assert.StartsWith($"The database schema is at version 0 (empty, or created before versioned migrations) and this build needs {SchemaMigrator.RequiredVersion}",
            line, StringComparison.Ordinal);
        Assert.Contains("--migrate", line, StringComparison.Ordinal);

        // Spelt otherwise, the flag would be read as a setting and the service would start: refused, nothing started.
        foreach (var misspelt in new[] { "--MIGRATE", "--migrate=true" })
        {
            var (code, error) = await AppProcess.RunToExitAsync(replica, ExitTimeout, misspelt, "--urls", "http://127.0.0.1:1");
            Assert.Equal((SchemaCommand.UsageExitCode, $"Unknown argument {misspelt}: the migration step is --migrate, exactly."), (code, error.Trim()));
        }

        var (denied, _) = await AppProcess.RunToExitAsync(replica, ExitTimeout, SchemaCommand.Flag);
        Assert.Equal(1, denied); // the replica's own user may not ALTER: the step needs one that may

        var (migrated, migrationErrors) = await AppProcess.RunToExitAsync(stack.AppSettings, ExitTimeout, SchemaCommand.Flag);
        Assert.True(migrated == 0, $"--migrate exited {migrated}: {migrationErrors}");

        await using var app = await AppProcess.StartAsync(FreeTcpPort.Find(), replica, "migration-step");
        var coupons = await app.Client.GetFromJsonAsync<List<UserCouponView>>("/api/coupons/user/legacy-user-1");
        Assert.Equal(11, Assert.Single(coupons!).CouponId);
        using (var rebuilt = await app.Admin.PostAsync("/api/admin/coupons/11/rebuild-gate", null))
        {
            Assert.True(rebuilt.IsSuccessStatusCode, $"rebuild-gate: {(int)rebuilt.StatusCode} {await rebuilt.Content.ReadAsStringAsync()}");
        }

        using var again = await app.Client.PostAsync("/api/coupons/11/issue-fcfs/legacy-user-1", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode); // the gate, built from the old rows, knows its holder
        using var newcomer = await app.Client.PostAsync("/api/coupons/11/issue-fcfs/legacy-user-2", null);
        Assert.Equal(HttpStatusCode.Accepted, newcomer.StatusCode); // and the data-only user writes
        await Eventually.TrueAsync(async () =>
        {
            using var mine = await app.Client.GetAsync("/api/coupons/user/legacy-user-2");
            return (await mine.Content.ReadFromJsonAsync<List<UserCouponView>>())!.Count == 1;
        }, TimeSpan.FromSeconds(30), "legacy-user-2's accepted click was never written");
    }

    /// <summary>
    /// The migration step says which key it read when a connection string is still under its old name: it exits before
    /// the host (and its start-up log) would. Hostile review (issue 22): an old key beside the new one in the same
    /// environment was ignored without a word, and the step ran as the new key's data-only user ("CREATE command
    /// denied").
    /// </summary>
    [Fact]
    public async Task The_migration_step_names_an_old_connection_string_key_it_read_or_ignored()
    {
        await using var stack = await PrivateStack.CreateAsync();
        var dataOnly = await stack.CreateDataOnlyUserAsync();

        var ignored = await AppProcess.RunToExitAsync(new Dictionary<string, string>(stack.AppSettings)
        {
            ["ConnectionStrings:coupons"] = dataOnly,
            ["Database:ConnectionString"] = stack.MySql,
        }, ExitTimeout, SchemaCommand.Flag);
        var read = await AppProcess.RunToExitAsync(new Dictionary<string, string>(stack.AppSettings)
        {
            ["ConnectionStrings:coupons"] = AppProcess.Unset,
            ["Database:ConnectionString"] = stack.MySql,
        }, ExitTimeout, SchemaCommand.Flag);

        Assert.Equal(1, ignored.ExitCode); // the new key's user may not ALTER
        Assert.Contains("Database__ConnectionString is ignored: ConnectionStrings__coupons", ignored.StandardOutput + ignored.StandardError, StringComparison.Ordinal);
        Assert.True(read.ExitCode == 0, $"--migrate exited {read.ExitCode}: {read.StandardError}");
        Assert.Contains("Database__ConnectionString is read as ConnectionStrings__coupons", read.StandardOutput + read.StandardError, StringComparison.Ordinal);
    }
}
