using MySqlConnector;

namespace Coupons.Infrastructure.Database;

public static class DatabaseServices
{
    /// <summary>
    /// The keyed connection factory of the Kafka consumer: a pool of its own, so that no flood of requests (reads,
    /// lookups of made-up ids) can take every connection while accepted requests wait to be written.
    /// </summary>
    public const string ConsumerPool = "consumer";

    public static IServiceCollection AddDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedOptions<DatabaseOptions>(configuration, DatabaseOptions.Section)
            .PostConfigure(o => o.ConnectionString = StoreAddress.Database.Read(configuration) ?? "")
            .Validate(o => o.ConnectionString.Length > 0, $"Database: no connection string (set {StoreAddress.Database.Variable})");

        services.AddSingleton(sp => CreateConnections(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value, maxPoolSize: null));
        // The consumer writes one batch at a time; a few connections are plenty.
        services.AddKeyedSingleton(ConsumerPool, (sp, _) => CreateConnections(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value, maxPoolSize: 4));
        services.AddSingleton(sp => new SchemaMigrator(sp.GetRequiredService<IDbConnectionFactory>(),
            sp.GetRequiredService<IOptions<DatabaseOptions>>().Value, sp.GetRequiredService<ILoggerFactory>()));
        return services;
    }

    public static IDbConnectionFactory CreateConnections(DatabaseOptions options, uint? maxPoolSize)
    {
        if (options.Provider == DatabaseProvider.Sqlite)
        {
            return new SqliteConnectionFactory(options.ConnectionString);
        }

        // Bounded waits: a pool exhausted by a slow MySQL makes callers fail after ConnectionTimeout, not hang.
        var builder = new MySqlConnectionStringBuilder(options.ConnectionString)
        {
            ConnectionTimeout = (uint)Math.Max(1, options.CommandTimeout.TotalSeconds),
            DefaultCommandTimeout = (uint)Math.Max(1, options.CommandTimeout.TotalSeconds),
        };
        if (maxPoolSize is { } max)
        {
            builder.MaximumPoolSize = max;
            builder.MinimumPoolSize = Math.Min(builder.MinimumPoolSize, max);
        }

        MySqlConnectionFactory.ApplyConventions(builder);
        return new MySqlConnectionFactory(new MySqlDataSourceBuilder(builder.ConnectionString).Build());
    }
}
