using System.Data.Common;

namespace Coupons.Infrastructure.Database;

/// <summary>
/// Opens connections for whichever database is configured; the SQL that differs lives in <see cref="SqlDialect"/>.
/// </summary>
public interface IDbConnectionFactory
{
    SqlDialect Dialect { get; }

    ValueTask<DbConnection> OpenAsync(CancellationToken ct);
}
