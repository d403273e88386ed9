namespace Coupons.Infrastructure.Database;

/// <summary>
/// Process-wide Dapper settings. Dapper caches a row mapper per query the first time it runs, so these must
/// be set before any query: every connection factory applies them in its constructor.
/// </summary>
internal static class DapperConventions
{
    public static void Apply() =>
        // Columns are snake_case (the seed's schema), properties PascalCase.
        Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
}
