using System.Data.Common;
using MySqlConnector;

namespace Coupons.Infrastructure.Database;

public sealed class MySqlConnectionFactory(MySqlDataSource dataSource) : IDbConnectionFactory
{
    public SqlDialect Dialect => SqlDialect.MySql;

    public async ValueTask<DbConnection> OpenAsync(CancellationToken ct) => await dataSource.OpenConnectionAsync(ct);
}
