namespace Coupons.Infrastructure.Database;

/// <summary>The handful of statements where MySQL/MariaDB and SQLite disagree. Everything else is shared SQL.</summary>
public sealed record SqlDialect(DatabaseProvider Provider, string InsertIgnore, string TableExists)
{
    public static readonly SqlDialect MySql = new(DatabaseProvider.MySql, "INSERT IGNORE",
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = @table");

    public static readonly SqlDialect Sqlite = new(DatabaseProvider.Sqlite, "INSERT OR IGNORE",
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @table");

    public static SqlDialect For(DatabaseProvider provider) => provider == DatabaseProvider.MySql ? MySql : Sqlite;
}
