namespace Coupons.Infrastructure.Database;

/// <summary>
/// <c>Coupons.Api --migrate</c>: the production migration step. It applies the migrations the database lacks with the
/// <c>Database</c> settings it is given (a user allowed DDL, unlike the replicas'), then exits: 0 when the schema is
/// current, 1 when a migration failed. Run it before the replicas of a new release start (compose's <c>migrate</c>
/// service, the local topology's <c>migrate</c> resource).
/// </summary>
public static partial class SchemaCommand
{
    public const string Flag = "--migrate";

    /// <summary>Whether the flag was given, and the rest of the arguments for the host (which would read a bare flag as a key).</summary>
    public static (bool Requested, string[] HostArgs) Parse(string[] args) =>
        (args.Contains(Flag, StringComparer.Ordinal), [.. args.Where(arg => arg != Flag)]);

    public static async Task<int> RunAsync(IConfiguration configuration)
    {
        using var loggers = LoggerFactory.Create(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddConsole());
        var logger = loggers.CreateLogger(typeof(SchemaCommand));
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var connections = DatabaseServiceCollectionExtensions.CreateConnections(options, maxPoolSize: 2);
        var migrator = new SchemaMigrator(connections, options, loggers);
        try
        {
            await DatabaseReadiness.WaitingPipeline(logger).ExecuteAsync(async ct => await migrator.MigrateAsync(ct), CancellationToken.None);
            SchemaCurrent(logger, await migrator.ReadVersionAsync(CancellationToken.None));
            return 0;
        }
        catch (Exception ex)
        {
            MigrationFailed(logger, ex);
            return 1;
        }
        finally
        {
            if (connections is IAsyncDisposable pool)
            {
                await pool.DisposeAsync();
            }
        }
    }

    [LoggerMessage(EventId = 1111, Level = LogLevel.Information, Message = "Schema is at version {Version}; the replicas of this build may start")]
    private static partial void SchemaCurrent(ILogger logger, long version);

    [LoggerMessage(EventId = 1112, Level = LogLevel.Critical, Message = "Migration failed; the schema is as the last completed migration left it")]
    private static partial void MigrationFailed(ILogger logger, Exception exception);
}
