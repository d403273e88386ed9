using MySqlConnector;

namespace Coupons.Infrastructure.Database;

public enum DatabaseProvider
{
    Sqlite,
    MySql,
}

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>
    /// Read from <c>ConnectionStrings:coupons</c> (<see cref="StoreAddress.Database"/>); dev mode's is in
    /// appsettings.Development.json.
    /// </summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// Apply the schema's migrations at start. Unset: yes for SQLite (the embedded database has no users and belongs to
    /// this one process), no for MySQL, where the migration step runs first (<c>--migrate</c>, as a user allowed DDL)
    /// and replicas, whose user reads and writes rows only, refuse a schema older than they need. The tests set it for
    /// MySQL.
    /// </summary>
    public bool? MigrateAtStart { get; set; }

    public bool MigratesAtStart => MigrateAtStart ?? Provider == DatabaseProvider.Sqlite;

    /// <summary>Longest a request waits for a pooled connection or a command before answering 503.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The SslMode a MySQL connection string asks MySqlConnector for (Preferred when it names none); null when the
    /// string cannot be read. TLS is enforced only by Required (encrypted, certificate not checked), VerifyCA (signed
    /// by the CA in SslCa or the system's) and VerifyFull (and naming the host): None is plaintext, and Preferred falls
    /// back to plaintext whenever the server offers no TLS, or someone in between says it does not.
    /// </summary>
    public static MySqlSslMode? SslModeOf(string? connectionString)
    {
        try
        {
            return new MySqlConnectionStringBuilder(connectionString ?? "").SslMode;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    public static bool EnforcesTls(MySqlSslMode? mode) => mode is MySqlSslMode.Required or MySqlSslMode.VerifyCA or MySqlSslMode.VerifyFull;
}
