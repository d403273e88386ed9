using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Coupons.Infrastructure.Database;

public static class DatabaseServiceCollectionExtensions
{
    public static IServiceCollection AddCouponDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<IDbConnectionFactory>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
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
            MySqlConnectionFactory.ApplyConventions(builder);
            return new MySqlConnectionFactory(new MySqlDataSourceBuilder(builder.ConnectionString).Build());
        });
        services.AddSingleton<SchemaMigrator>();
        return services;
    }
}
