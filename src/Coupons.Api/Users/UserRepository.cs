using Coupons.Infrastructure.Database;
using Dapper;

namespace Coupons.Users;

public sealed record NewUser(string PublicId, string Name, string Email);

/// <summary>
/// Users by publicId. A publicId is stored and looked up in its canonical form (<see cref="Ids.Canonical"/>), and the
/// column compares case-insensitively in both dialects, so SQLite and MySQL agree on who a publicId is (design.md §2,
/// I6).
/// </summary>
public sealed class UserRepository(IDbConnectionFactory connections, TimeProvider clock)
{
    public async Task<IReadOnlyList<(string PublicId, long Id)>> FindIdsAsync(IReadOnlyCollection<string> publicIds, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        var found = new List<(string, long)>(publicIds.Count);
        foreach (var chunk in publicIds.Select(Ids.Canonical).Distinct().Chunk(1000))
        {
            found.AddRange(await connection.QueryAsync<(string, long)>(new CommandDefinition(
                "SELECT public_id, id FROM users WHERE public_id IN @chunk", new { chunk }, cancellationToken: ct)));
        }

        return found;
    }

    public async Task<long?> FindIdAsync(string publicId, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT id FROM users WHERE public_id = @publicId", new { publicId = Ids.Canonical(publicId) }, cancellationToken: ct));
    }

    /// <summary>
    /// Inserts users in one transaction; existing public ids or emails are left as they are. Returns how many were new.
    /// </summary>
    public async Task<int> CreateManyAsync(IReadOnlyCollection<NewUser> users, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var createdAt = clock.GetUtcNow().UtcDateTime;
        var created = 0;
        foreach (var chunk in users.Chunk(500))
        {
            created += await connection.ExecuteAsync(new CommandDefinition(
                $"{connections.Dialect.InsertIgnore} INTO users (public_id, name, email, created_at) VALUES (@PublicId, @Name, @Email, @createdAt)",
                chunk.Select(u => new { PublicId = Ids.Canonical(u.PublicId), u.Name, u.Email, createdAt }), tx, cancellationToken: ct));
        }

        await tx.CommitAsync(ct);
        return created;
    }
}
