namespace Coupons.Infrastructure.Database;

/// <summary>The handful of statements where MySQL/MariaDB and SQLite disagree. Everything else is shared SQL.</summary>
/// <param name="ForUpdate">Appended to a SELECT that locks the rows it reads until the transaction ends: MySQL's row
/// locks; nothing for SQLite, which has one writer at a time anyway.</param>
public sealed record SqlDialect(DatabaseProvider Provider, string InsertIgnore, string TableExists, string ForUpdate)
{
    public static readonly SqlDialect MySql = new(DatabaseProvider.MySql, "INSERT IGNORE",
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = @table", " FOR UPDATE");

    public static readonly SqlDialect Sqlite = new(DatabaseProvider.Sqlite, "INSERT OR IGNORE",
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @table", "");

    public static SqlDialect For(DatabaseProvider provider) => provider == DatabaseProvider.MySql ? MySql : Sqlite;
}
