using System.Globalization;
using Coupons.Catalog;
using Coupons.Infrastructure.Database;
using Dapper;

namespace Coupons.IntegrationTests.Data;

/// <summary>
/// The upgrade every existing deployment makes once: a database created by the releases before versioned migrations
/// (c8b4360's schema script, applied as they applied it at every start), with data in every table, migrated by
/// FluentMigrator. Nothing may be lost or changed, and the result must be the schema a fresh database gets.
/// </summary>
[Trait("Category", "Data")]
public sealed class SchemaMigrationTests
{
    private static readonly string[] Tables = ["users", "coupons", "user_coupons", "issue_requests", "parked_requests", "admin_audit"];

    [Theory]
    [InlineData("mysql")]
    [InlineData("sqlite")]
    public async Task A_database_created_before_versioned_migrations_keeps_every_row_and_reaches_the_current_version(string dialect)
    {
        await using var harness = Harness(dialect);
        await ApplyLegacySchemaAsync(harness.Connections, dialect);
        await InsertOneOfEverythingAsync(harness.Connections);
        var before = await DumpAsync(harness.Connections);
        Assert.Equal(0, await harness.Migrator.ReadVersionAsync(default));

        await harness.Migrator.MigrateAsync(default);

        Assert.Equal(before, await DumpAsync(harness.Connections));
        Assert.Equal(SchemaMigrator.RequiredVersion, await harness.Migrator.ReadVersionAsync(default));
        await using (var connection = await harness.Connections.OpenAsync(default))
        {
            var applied = (await connection.QueryAsync<long>("SELECT version FROM schema_versions ORDER BY version")).ToList();
            Assert.Equal(Enumerable.Range(1, (int)SchemaMigrator.RequiredVersion).Select(v => (long)v), applied);
        }

        // The build's own code reads what the old one wrote.
        var coupon = await new CouponRepository(harness.Connections).FindAsync(11, default);
        Assert.Equal(("Legacy 10% off", 100, 1), (coupon!.Name, coupon.TotalQuantity, coupon.IssuedQuantity));
    }

    [Theory]
    [InlineData("mysql")]
    [InlineData("sqlite")]
    public async Task An_upgraded_database_has_the_schema_a_fresh_one_gets(string dialect)
    {
        await using var upgraded = Harness(dialect);
        await ApplyLegacySchemaAsync(upgraded.Connections, dialect);
        await upgraded.Migrator.MigrateAsync(default);
        await using var fresh = Harness(dialect);
        await fresh.Migrator.MigrateAsync(default);

        Assert.Equal(await SchemaOfAsync(fresh.Connections), await SchemaOfAsync(upgraded.Connections));
    }

    /// <summary>
    /// Replicas started together with MigrateAtStart (the tests, several dev instances) apply each migration once.
    /// </summary>
    [Fact]
    public async Task Migrators_racing_on_one_empty_mariadb_apply_each_migration_once()
    {
        await using var harness = Harness("mysql");

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => harness.Migrator.MigrateAsync(default))));

        await using var connection = await harness.Connections.OpenAsync(default);
        Assert.Equal(SchemaMigrator.RequiredVersion, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_versions"));
        Assert.Equal(SchemaMigrator.RequiredVersion, await harness.Migrator.ReadVersionAsync(default));
    }

    [Theory]
    [InlineData("mysql")]
    [InlineData("sqlite")]
    public async Task A_schema_older_than_the_build_needs_is_refused_with_both_versions_and_the_step_to_run(string dialect)
    {
        await using var harness = Harness(dialect);
        await ApplyLegacySchemaAsync(harness.Connections, dialect);

        var behind = await Assert.ThrowsAsync<SchemaBehindException>(() => harness.Migrator.VerifyAsync(default));

        Assert.Equal((0, SchemaMigrator.RequiredVersion), (behind.Version, behind.Required));
        Assert.Contains("--migrate", behind.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', behind.Message);
        await harness.Migrator.MigrateAsync(default);
        await harness.Migrator.VerifyAsync(default);
    }

    internal static IStoreHarness Harness(string dialect) => dialect == "mysql" ? new MySqlHarness() : new SqliteHarness();

    /// <summary>
    /// c8b4360's <c>SchemaMigrator</c>: whole-line comments dropped, then every statement of the script in turn.
    /// </summary>
    internal static async Task ApplyLegacySchemaAsync(IDbConnectionFactory connections, string dialect)
    {
        var name = $"schema-c8b4360.{dialect}.sql";
        var assembly = typeof(SchemaMigrationTests).Assembly;
        await using var stream = assembly.GetManifestResourceStream(assembly.GetManifestResourceNames().Single(n => n.EndsWith(name, StringComparison.Ordinal)))!;
        var script = await new StreamReader(stream).ReadToEndAsync();
        script = string.Join('\n', script.Split('\n').Where(line => !line.TrimStart().StartsWith("--", StringComparison.Ordinal)));
        await using var connection = await connections.OpenAsync(default);
        foreach (var statement in script.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            await connection.ExecuteAsync(statement);
        }
    }

    /// <summary>A row in every table, as the old release wrote them (an ISSUED issue_requests row included).</summary>
    internal static async Task InsertOneOfEverythingAsync(IDbConnectionFactory connections)
    {
        var at = new DateTime(2026, 11, 20, 9, 30, 0, DateTimeKind.Utc);
        await using var connection = await connections.OpenAsync(default);
        await connection.ExecuteAsync(
            "INSERT INTO users (id, public_id, name, email, created_at) VALUES (1, 'legacy-user-1', 'Legacy One', 'one@example.com', @at), " +
            "(2, 'legacy-user-2', 'Legacy Two', 'two@example.com', @at)", new { at });
        await connection.ExecuteAsync(
            "INSERT INTO coupons (id, name, coupon_type, discount_rate, discount_amount, min_order_amount, total_quantity, issued_quantity, " +
            "start_date, end_date, validity_days) VALUES (11, 'Legacy 10% off', 'PERCENTAGE', 10.00, NULL, 15000.00, 100, 1, @at, @end, 30)",
            new { at, end = at.AddYears(10) });
        await connection.ExecuteAsync(
            "INSERT INTO user_coupons (user_id, coupon_id, status, issued_at, expires_at, request_id) " +
            "VALUES (1, 11, 'ISSUED', @at, @expires, '0b6f2c56-0000-4000-8000-000000000001')", new { at, expires = at.AddDays(30) });
        await connection.ExecuteAsync(
            "INSERT INTO issue_requests (request_id, coupon_id, user_id, status, reason, requested_at, decided_at) VALUES " +
            "('0b6f2c56-0000-4000-8000-000000000001', 11, 1, 'ISSUED', NULL, @at, @at), " +
            "('0b6f2c56-0000-4000-8000-000000000002', 11, 2, 'REJECTED', 'SOLD_OUT', @at, @at)", new { at });
        await connection.ExecuteAsync(
            "INSERT INTO parked_requests (request_id, coupon_id, payload, parked_at, attempts) " +
            "VALUES ('0b6f2c56-0000-4000-8000-000000000003', 11, '{\"couponId\":11}', @at, 2)", new { at });
        await connection.ExecuteAsync(
            "INSERT INTO admin_audit (at, actor, action, coupon_id, client, status) VALUES (@at, 'admin-key', 'POST /api/admin/coupons/11/reconcile', 11, '10.0.0.7', 200)",
            new { at });
    }

    /// <summary>
    /// Columns later migrations added to the baseline's tables: empty (NULL) on every row they found.
    /// </summary>
    private static readonly string[] AddedColumns = ["max_discount_amount", "order_id", "used_at"];

    /// <summary>
    /// Every row of every table, every column of the baseline, as text in key order: what "nothing lost or changed"
    /// compares. A column added since must be empty on the old rows.
    /// </summary>
    private static async Task<string> DumpAsync(IDbConnectionFactory connections)
    {
        await using var connection = await connections.OpenAsync(default);
        var dump = new StringBuilder();
        foreach (var table in Tables)
        {
            foreach (IDictionary<string, object?> row in await connection.QueryAsync($"SELECT * FROM {table} ORDER BY 1"))
            {
                Assert.All(row.Where(c => AddedColumns.Contains(c.Key)), c => Assert.True(c.Value is null or DBNull, $"{table}.{c.Key} = {c.Value} on an old row"));
                dump.Append(table).Append(": ")
                    .AppendJoin(", ", row.Where(c => !AddedColumns.Contains(c.Key)).Select(c => $"{c.Key}={Convert.ToString(c.Value, CultureInfo.InvariantCulture)}")).Append('\n');
            }
        }

        Assert.Equal(Tables.Length + 2, dump.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // 2 users, 2 requests
        return dump.ToString();
    }

    /// <summary>Tables, columns and indexes as the engine reports them, in a stable order.</summary>
    private static async Task<string> SchemaOfAsync(IDbConnectionFactory connections)
    {
        await using var connection = await connections.OpenAsync(default);
        var sql = connections.Dialect.Provider == DatabaseProvider.MySql
            ? "SELECT CONCAT_WS(' ', table_name, column_name, column_type, is_nullable, COALESCE(column_default, ''), COALESCE(collation_name, '')) " +
              "FROM information_schema.columns WHERE table_schema = DATABASE() " +
              "UNION ALL SELECT CONCAT_WS(' ', table_name, index_name, seq_in_index, column_name, non_unique) FROM information_schema.statistics " +
              "WHERE table_schema = DATABASE() ORDER BY 1"
            : "SELECT type || ' ' || name || ' ' || COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY 1";
        // SQLite keeps each statement's text as it was sent: compare it with its whitespace folded, not its layout.
        return string.Join('\n', (await connection.QueryAsync<string>(sql))
            .Select(line => System.Text.RegularExpressions.Regex.Replace(line, @"\s+", " ").Trim()).Order(StringComparer.Ordinal));
    }
}
