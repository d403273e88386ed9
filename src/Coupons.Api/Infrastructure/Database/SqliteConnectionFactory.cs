using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Coupons.Infrastructure.Database;

/// <summary>
/// The embedded dev-mode database. WAL lets readers run beside the single writer (the consumer);
/// busy_timeout makes a second writer wait instead of failing at once.
/// </summary>
public sealed class SqliteConnectionFactory : IDbConnectionFactory
{
    private readonly string _connectionString;

    public SqliteConnectionFactory(string connectionString)
    {
        DapperConventions.Apply();
        _connectionString = connectionString;
    }

    public SqlDialect Dialect => SqlDialect.Sqlite;

    public async ValueTask<DbConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;";
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }
}
