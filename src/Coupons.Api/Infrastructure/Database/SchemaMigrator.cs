using System.Reflection;
using Coupons.Infrastructure.Database.Migrations;
using Dapper;
using FluentMigrator;
using FluentMigrator.Runner;
using FluentMigrator.Runner.VersionTableInfo;
using MySqlConnector;

namespace Coupons.Infrastructure.Database;

/// <summary>
/// The schema's versions, kept by FluentMigrator (its MySQL and SQLite runners, the same migrations for both dialects,
/// recorded in <c>schema_versions</c>). Applying them needs DDL rights and is an explicit step (<c>--migrate</c>, or
/// <see cref="DatabaseOptions.MigrateAtStart"/> for the embedded database and the tests); a replica whose user may only
/// read and write data checks the version and refuses a schema older than it needs.
/// </summary>
public sealed partial class SchemaMigrator(IDbConnectionFactory connections, DatabaseOptions options, ILoggerFactory loggers)
{
    /// <summary>Held while migrating, so replicas started together against one MariaDB apply each migration
    /// once.</summary>
    private const string MigrationLock = "coupons.schema_migration";

    private static readonly TimeSpan LockWait = TimeSpan.FromMinutes(2);

    /// <summary>The newest migration this build carries: the schema version it needs.</summary>
    public static long RequiredVersion { get; } = typeof(SchemaMigrator).Assembly.GetTypes()
        .Select(type => type.GetCustomAttribute<MigrationAttribute>()?.Version ?? 0).Max();

    /// <summary>Applies every migration the database lacks (none when it is current), one migrator at a time.</summary>
    public async Task MigrateAsync(CancellationToken ct)
    {
        await using var held = await LockAsync(ct);
        var logger = loggers.CreateLogger<SchemaMigrator>();
        var before = await ReadVersionAsync(ct);
        if (before >= RequiredVersion)
        {
            return;
        }

        await using var services = RunnerServices();
        using var scope = services.CreateScope();
        scope.ServiceProvider.GetRequiredService<IMigrationRunner>().MigrateUp();
        Migrated(logger, before, await ReadVersionAsync(ct));
    }

    /// <summary>The newest migration applied; 0 for an empty database or one created before migrations were
    /// versioned.</summary>
    public async Task<long> ReadVersionAsync(CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        var hasTable = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            connections.Dialect.TableExists, new { table = SchemaVersionTable.Name }, cancellationToken: ct));
        return hasTable == 0 ? 0 : await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COALESCE(MAX(version), 0) FROM {SchemaVersionTable.Name}", cancellationToken: ct));
    }

    /// <summary>Throws <see cref="SchemaBehindException"/> when the database lacks a migration this build
    /// needs.</summary>
    public async Task VerifyAsync(CancellationToken ct)
    {
        var version = await ReadVersionAsync(ct);
        if (version < RequiredVersion)
        {
            throw new SchemaBehindException(version, RequiredVersion);
        }
    }

    private ServiceProvider RunnerServices() => new ServiceCollection()
        .AddSingleton(loggers)
        .AddSingleton(typeof(ILogger<>), typeof(Logger<>))
        .AddFluentMigratorCore()
        .AddScoped<IVersionTableMetaData, SchemaVersionTable>()
        .ConfigureRunner(runner =>
        {
            // MariaDB speaks the MySQL 5 dialect; the baseline's own scripts carry what differs between the two
            // engines.
            _ = connections.Dialect.Provider == DatabaseProvider.MySql ? runner.AddMySql5() : runner.AddSQLite();
            runner.WithGlobalConnectionString(options.ConnectionString)
                .ScanIn(typeof(SchemaMigrator).Assembly).For.Migrations().For.EmbeddedResources();
        })
        .BuildServiceProvider(validateScopes: false);

    /// <summary>
    /// MariaDB: a named lock, held by a connection of its own that is closed (not pooled) when the migration ends: a
    /// pooled connection would keep the lock while it idles in the pool. SQLite needs none: the embedded database has
    /// one process, and SQLite runs one writer at a time anyway.
    /// </summary>
    private async Task<IAsyncDisposable> LockAsync(CancellationToken ct)
    {
        if (connections.Dialect.Provider != DatabaseProvider.MySql)
        {
            return NoLock.Instance;
        }

        var builder = new MySqlConnectionStringBuilder(options.ConnectionString)
        {
            Pooling = false,
            DefaultCommandTimeout = (uint)LockWait.TotalSeconds + 30,
        };
        var connection = new MySqlConnection(builder.ConnectionString);
        await connection.OpenAsync(ct);
        var taken = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT GET_LOCK(@name, @seconds)", new { name = MigrationLock, seconds = (int)LockWait.TotalSeconds }, cancellationToken: ct));
        if (taken != 1)
        {
            await connection.DisposeAsync();
            throw new TimeoutException($"Another migrator held {MigrationLock} for {LockWait.TotalMinutes} minutes.");
        }

        return connection;
    }

    private sealed class NoLock : IAsyncDisposable
    {
        public static readonly NoLock Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [LoggerMessage(EventId = 1110, Level = LogLevel.Information, Message = "Schema migrated from version {From} to {To}")]
    private static partial void Migrated(ILogger logger, long from, long to);
}
