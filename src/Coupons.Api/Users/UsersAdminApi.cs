using Coupons.Infrastructure.Http;
using Microsoft.AspNetCore.Mvc;

namespace Coupons.Users;

public static class UsersAdminApi
{
    public const int MaxUsersPerCall = 10_000;
    public const long MaxUsersBodyBytes = 4 * 1024 * 1024; // 10,000 users at ~400 bytes each

    /// <summary>
    /// Adds <c>POST users</c> (bulk registration) to <paramref name="admin"/>, the admin group, with a larger body
    /// limit than its own.
    /// </summary>
    public static RouteGroupBuilder MapUsersAdminApi(this RouteGroupBuilder admin)
    {
        admin.MapPost("/users", CreateUsers).WithMetadata(new RequestSizeLimitAttribute(MaxUsersBodyBytes))
            .Answers(StatusCodes.Status400BadRequest, ProblemCodes.InvalidRequest);
        return admin;
    }

    public static async Task<Results<Created<CreatedUsers>, ProblemHttpResult>> CreateUsers(
        CreateUsersRequest request, UserRepository users, UserRegistry registry, CancellationToken ct)
    {
        if (request.Users is not { Count: > 0 and <= MaxUsersPerCall } list)
        {
            return Problems.BadRequest(ProblemCodes.InvalidRequest, $"users must hold 1 to {MaxUsersPerCall} entries.");
        }

        var invalid = list.FirstOrDefault(u => !Ids.IsValidPublicId(u.PublicId) || string.IsNullOrWhiteSpace(u.Name) || u.Name.Length > 100
            || string.IsNullOrWhiteSpace(u.Email) || u.Email.Length > 255 || !u.Email.Contains('@', StringComparison.Ordinal));
        if (invalid is not null)
        {
            return Problems.BadRequest(ProblemCodes.InvalidRequest, $"user '{invalid.PublicId}' needs a valid publicId, a name and an email.");
        }

        var created = await users.CreateManyAsync(list.Select(u => new NewUser(u.PublicId!, u.Name!, u.Email!)).ToList(), ct);
        await WarmRegistryAsync(users, registry, list.Select(u => Ids.Canonical(u.PublicId!)).ToList(), ct);
        return TypedResults.Created("/api/admin/users", new CreatedUsers(list.Count, created));
    }

    /// <summary>
    /// New users go into the Redis registry at once, so their first click needs no MySQL lookup. Best effort.
    /// </summary>
    private static async Task WarmRegistryAsync(UserRepository users, UserRegistry registry, IReadOnlyCollection<string> publicIds, CancellationToken ct)
    {
        try
        {
            await registry.RememberManyAsync(await users.FindIdsAsync(publicIds, ct));
        }
        catch (Exception ex) when (Infrastructure.Redis.RedisCircuit.IsUnavailable(ex))
        {
            // The directory falls back to MySQL and fills the registry on first use.
        }
    }
}
