using System.Data.Common;
using MySqlConnector;

namespace Coupons.Infrastructure.Database;

public sealed class MySqlConnectionFactory : IDbConnectionFactory
{
    private readonly MySqlDataSource _dataSource;

    public MySqlConnectionFactory(MySqlDataSource dataSource)
    {
        DapperConventions.Apply();
        _dataSource = dataSource;
    }

    public SqlDialect Dialect => SqlDialect.MySql;

    public async ValueTask<DbConnection> OpenAsync(CancellationToken ct) => await _dataSource.OpenConnectionAsync(ct);

    /// <summary>Request ids are CHAR(36) text in both dialects; stop MySqlConnector from turning them into Guids.</summary>
    public static void ApplyConventions(MySqlConnectionStringBuilder builder) => builder.GuidFormat = MySqlGuidFormat.None;
}
