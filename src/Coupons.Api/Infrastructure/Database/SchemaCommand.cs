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

    /// <summary>EX_USAGE (sysexits.h): an argument that looks like <see cref="Flag"/> and is not it.</summary>
    public const int UsageExitCode = 64;

    /// <summary>
    /// Whether the flag was given, and the rest of the arguments for the host (which would read a bare flag as a key).
    /// Anything else that starts like it (<c>--migrate=true</c>, <c>--MIGRATE</c>) is <see cref="Misspelt"/>: the host
    /// would take it for a setting and start the service instead, swallowing the next argument as its value.
    /// </summary>
    public static (bool Requested, string? Misspelt, string[] HostArgs) Parse(string[] args) =>
        (args.Contains(Flag, StringComparer.Ordinal),
            args.FirstOrDefault(arg => arg != Flag && arg.TrimStart('-', '/').StartsWith("migrate", StringComparison.OrdinalIgnoreCase)),
            [.. args.Where(arg => arg != Flag)]);

    public static async Task<int> RunAsync(IConfiguration configuration)
    {
        using var loggers = LoggerFactory.Create(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddConsole());
        var logger = loggers.CreateLogger(typeof(SchemaCommand));
        LegacySettingsWarning.Log(loggers.CreateLogger(typeof(LegacySettingsWarning)), configuration);
        DatabaseOptions options;
        try
        {
            options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
            options.ConnectionString = StoreAddress.Database.Read(configuration) ?? "";
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync($"The Database settings cannot be read: {ex.Message}");
            return 1;
        }

        if (options.ConnectionString.Length == 0)
        {
            await Console.Error.WriteLineAsync($"No database to migrate: set {StoreAddress.Database.Variable}.");
            return 1;
        }

        var connections = DatabaseServices.CreateConnections(options, maxPoolSize: 2);
        var migrator = new SchemaMigrator(connections, options, loggers);
        try
        {
            // The deadline is for the database to answer, not for the migrations: a long one (or a lock held by another
            // migrator) is waited for as long as it takes.
            await DatabaseReadiness.WaitingPipeline(logger).ExecuteAsync(async ct => await migrator.ReadVersionAsync(ct), CancellationToken.None);
            await migrator.MigrateAsync(CancellationToken.None);
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

    /// <summary>
    /// Before the host starts: a replica that may not migrate (<see cref="DatabaseOptions.MigratesAtStart"/> false)
    /// checks the schema's version once the database answers, and refuses an older one with one line on stderr. Checked
    /// here, not only in the start-up service (which checks again, for hosts that skip this, such as the tests'), so
    /// the host never logs the refusal as a start-up failure with a stack trace.
    /// </summary>
    public static async Task<bool> RefusesOlderSchemaAsync(IServiceProvider services)
    {
        if (services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigratesAtStart)
        {
            return false;
        }

        var migrator = services.GetRequiredService<SchemaMigrator>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SchemaCommand));
        try
        {
            await DatabaseReadiness.WaitingPipeline(logger).ExecuteAsync(async ct => await migrator.ReadVersionAsync(ct), CancellationToken.None);
            await migrator.VerifyAsync(CancellationToken.None);
            return false;
        }
        catch (Polly.Timeout.TimeoutRejectedException)
        {
            return false; // no database yet: the start-up service waits for it again and fails the start as before
        }
        catch (SchemaBehindException behind)
        {
            await Console.Error.WriteLineAsync(behind.Message);
            return true;
        }
    }

    [LoggerMessage(EventId = 1111, Level = LogLevel.Information, Message = "Schema is at version {Version}; the replicas of this build may start")]
    private static partial void SchemaCurrent(ILogger logger, long version);

    [LoggerMessage(EventId = 1112, Level = LogLevel.Critical, Message = "Migration failed; the schema is as the last completed migration left it")]
    private static partial void MigrationFailed(ILogger logger, Exception exception);
}
