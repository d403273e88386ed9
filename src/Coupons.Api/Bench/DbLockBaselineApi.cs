using Coupons.Infrastructure.Database;
using Coupons.Ledger;
using Dapper;

namespace Coupons.Bench;

/// <summary>
/// Benchmark-only baseline, off unless <c>Bench:DbLockBaseline=true</c>: the original system's synchronous
/// approach, one database transaction per click with a pessimistic row lock on the coupon. It exists so
/// bench/ can measure the FCFS pipeline against it in the same run; nothing else uses it.
/// </summary>
public static class DbLockBaselineApi
{
    public const string Section = "Bench";

    /// <summary>
    /// The switch, <c>Bench:DbLockBaseline</c>; Production refuses it unless allowed (<see cref="ProductionGuard"/>).
    /// </summary>
    public const string Switch = $"{Section}:DbLockBaseline";

    public static IEndpointRouteBuilder MapDbLockBaselineApi(this IEndpointRouteBuilder routes, IConfiguration configuration)
    {
        if (configuration.GetValue<bool>(Switch))
        {
            routes.MapPost("/bench/db-lock/{couponId:long}/{publicId}", IssueWithRowLock).WithTags("Bench");
        }

        return routes;
    }

    public static async Task<Results<Created, ProblemHttpResult>> IssueWithRowLock(
        long couponId, string publicId, IDbConnectionFactory connections, TimeProvider clock, CancellationToken ct)
    {
        var forUpdate = connections.Dialect.ForUpdate;
        await using var connection = await connections.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var coupon = await connection.QuerySingleOrDefaultAsync<CouponRow>(new CommandDefinition(
            $"SELECT total_quantity, issued_quantity, validity_days FROM coupons WHERE id = @couponId {forUpdate}", new { couponId }, tx, cancellationToken: ct));
        if (coupon is null)
        {
            return Problems.NotFound(ProblemCodes.CouponNotFound, "No such coupon.");
        }

        var userId = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT id FROM users WHERE public_id = @person", new { person = publicId }, tx, cancellationToken: ct));
        if (userId is null)
        {
            return Problems.NotFound(ProblemCodes.UserNotFound, "No such user.");
        }

        if (await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM user_coupons WHERE user_id = @userId AND coupon_id = @couponId", new { userId, couponId }, tx, cancellationToken: ct)) > 0)
        {
            return Problems.Conflict(ProblemCodes.AlreadyRequested, "Already issued.");
        }

        if (coupon.IssuedQuantity >= coupon.TotalQuantity)
        {
            return Problems.Conflict(ProblemCodes.SoldOut, "Sold out.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO user_coupons (user_id, coupon_id, status, issued_at, expires_at, request_id) VALUES (@userId, @couponId, @status, @now, @expires, @requestId)",
            new { userId, couponId, status = UserCouponStatus.Unused, now, expires = now.AddDays(coupon.ValidityDays), requestId = Guid.CreateVersion7().ToString() }, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE coupons SET issued_quantity = issued_quantity + 1 WHERE id = @couponId", new { couponId }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return TypedResults.Created();
    }

    private sealed class CouponRow
    {
        public int TotalQuantity { get; init; }

        public int IssuedQuantity { get; init; }

        public int ValidityDays { get; init; }
    }
}
