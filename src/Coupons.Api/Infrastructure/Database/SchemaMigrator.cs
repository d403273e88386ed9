using Dapper;

namespace Coupons.Infrastructure.Database;

/// <summary>Applies the dialect's schema script. Every statement is idempotent (IF NOT EXISTS), so it runs at every start.</summary>
public sealed class SchemaMigrator(IDbConnectionFactory connections)
{
    public async Task MigrateAsync(CancellationToken ct)
    {
        // Whole-line "--" comments are dropped first so their punctuation cannot split a statement.
        var script = string.Join('\n', ReadScript(connections.Dialect.SchemaResource).Split('\n')
            .Where(line => !line.TrimStart().StartsWith("--", StringComparison.Ordinal)));
        await using var connection = await connections.OpenAsync(ct);
        foreach (var statement in script.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (statement.Length > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition(statement, cancellationToken: ct));
            }
        }
    }

    private static string ReadScript(string name)
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith(name, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
