using System.Data.Common;
using MySqlConnector;

namespace Coupons.Infrastructure.Database;

public sealed class MySqlConnectionFactory : IDbConnectionFactory, IDisposable, IAsyncDisposable
{
    private readonly MySqlDataSource _dataSource;

    public MySqlConnectionFactory(MySqlDataSource dataSource)
    {
        DapperConventions.Apply();
        _dataSource = dataSource;
    }

    public SqlDialect Dialect => SqlDialect.MySql;

    public async ValueTask<DbConnection> OpenAsync(CancellationToken ct) => await _dataSource.OpenConnectionAsync(ct);

    /// <summary>
    /// Closes the pool's connections when the host stops, instead of leaving them to the server's timeout.
    /// </summary>
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();

    /// <summary>
    /// Request ids are CHAR(36) text in both dialects; stop MySqlConnector from turning them into Guids.
    /// </summary>
    public static void ApplyConventions(MySqlConnectionStringBuilder builder) => builder.GuidFormat = MySqlGuidFormat.None;
}
