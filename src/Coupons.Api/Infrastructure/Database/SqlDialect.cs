namespace Coupons.Infrastructure.Database;

/// <summary>The handful of statements where MySQL/MariaDB and SQLite disagree. Everything else is shared SQL.</summary>
public sealed record SqlDialect(DatabaseProvider Provider, string InsertIgnore, string SchemaResource)
{
    public static readonly SqlDialect MySql = new(DatabaseProvider.MySql, "INSERT IGNORE", "schema.mysql.sql");
    public static readonly SqlDialect Sqlite = new(DatabaseProvider.Sqlite, "INSERT OR IGNORE", "schema.sqlite.sql");

    public static SqlDialect For(DatabaseProvider provider) => provider == DatabaseProvider.MySql ? MySql : Sqlite;
}
