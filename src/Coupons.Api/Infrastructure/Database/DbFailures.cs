using System.Data.Common;
using Microsoft.Data.Sqlite;
using MySqlConnector;

namespace Coupons.Infrastructure.Database;

/// <summary>
/// Tells a failure that retrying can cure (the database is unreachable, a lock timed out) from one that the data
/// itself causes and that will fail the same way forever (a broken constraint, a value the column cannot hold).
/// Only the listed data errors count as permanent: anything unknown is retried, because wrongly calling a failure
/// permanent would send a real request to the dead-letter topic, while wrongly retrying only costs time.
/// </summary>
public static class DbFailures
{
    // MySQL / MariaDB server error numbers caused by the row being written, not by the server's state.
    private static readonly HashSet<int> MySqlDataErrors =
    [
        1048, // column cannot be null
        1062, // duplicate entry for a unique key
        1216, 1452, // foreign key: no referenced row
        1264, 1690, // value out of range
        1292, 1366, // incorrect datetime / string value
        1406, // data too long for column
        3819, 4025, // CHECK constraint violated (MySQL, MariaDB)
    ];

    // SQLite primary result codes for the same class of errors: CONSTRAINT, MISMATCH, TOOBIG, RANGE.
    private static readonly HashSet<int> SqliteDataErrors = [19, 20, 18, 25];

    /// <summary>True when the same write will fail again whatever is retried.</summary>
    public static bool IsPermanent(Exception exception) => exception switch
    {
        MySqlException mysql => MySqlDataErrors.Contains((int)mysql.ErrorCode),
        SqliteException sqlite => SqliteDataErrors.Contains(sqlite.SqliteErrorCode),
        _ => false,
    };

    /// <summary>
    /// True for failures a retry may cure: a database exception that is not <see cref="IsPermanent"/>, a timeout, or
    /// a write that found the data changed under it (<see cref="System.Data.DBConcurrencyException"/>: read again).
    /// </summary>
    public static bool IsTransient(Exception exception) =>
        (exception is DbException or TimeoutException or System.Data.DBConcurrencyException or InvalidOperationException { InnerException: DbException })
        && !IsPermanent(exception);
}
