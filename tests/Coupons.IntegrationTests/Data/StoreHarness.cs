using Coupons.Infrastructure.Database;
using Dapper;
using Microsoft.Data.Sqlite;
using MySqlConnector;

namespace Coupons.IntegrationTests.Data;

/// <summary>An empty database of one dialect (the tests migrate it), dropped afterwards.</summary>
public interface IStoreHarness : IAsyncDisposable
{
    IDbConnectionFactory Connections { get; }

    /// <summary>The settings an app would be given for this database.</summary>
    DatabaseOptions Options { get; }

    /// <summary>The schema migrator the app would run against this database.</summary>
    SchemaMigrator Migrator => new(Connections, Options, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
}

public sealed class SqliteHarness : IStoreHarness
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"coupons-contract-{Guid.NewGuid():N}.db");

    public SqliteHarness()
    {
        Options = new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = $"Data Source={_path};Pooling=False" };
        Connections = new SqliteConnectionFactory(Options.ConnectionString);
    }

    public IDbConnectionFactory Connections { get; }

    public DatabaseOptions Options { get; }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }

        return ValueTask.CompletedTask;
    }
}

public sealed class MySqlHarness : IStoreHarness
{
    private readonly string _database = $"coupons_contract_{Guid.NewGuid():N}"[..40];
    private readonly MySqlDataSource _dataSource;

    public MySqlHarness()
    {
        using (var admin = new MySqlConnection(Infrastructure.TestStack.MySql))
        {
            admin.Open();
            admin.Execute($"CREATE DATABASE `{_database}` CHARACTER SET utf8mb4");
        }

        var builder = new MySqlConnectionStringBuilder(Infrastructure.TestStack.MySql) { Database = _database };
        Options = new DatabaseOptions { Provider = DatabaseProvider.MySql, ConnectionString = builder.ConnectionString };
        MySqlConnectionFactory.ApplyConventions(builder);
        _dataSource = new MySqlDataSourceBuilder(builder.ConnectionString).Build();
        Connections = new MySqlConnectionFactory(_dataSource);
    }

    public IDbConnectionFactory Connections { get; }

    public DatabaseOptions Options { get; }

    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await using var admin = new MySqlConnection(Infrastructure.TestStack.MySql);
        await admin.OpenAsync();
        await admin.ExecuteAsync($"DROP DATABASE IF EXISTS `{_database}`");
    }
}
