using System.ComponentModel.DataAnnotations;

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

    [Required]
    public string ConnectionString { get; set; } = "Data Source=coupons.db";

    /// <summary>Longest a request waits for a pooled connection or a command before answering 503.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
