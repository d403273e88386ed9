namespace Coupons.Infrastructure;

/// <summary>
/// Where a store's address is configured: <c>ConnectionStrings:&lt;name&gt;</c> (<c>ConnectionStrings__coupons</c> in
/// the environment), where .NET's <c>GetConnectionString</c> and Aspire's <c>WithReference</c> put it. The key each had
/// before (<see cref="LegacyKey"/>) is still read for one release, with a warning at start.
/// </summary>
public sealed record StoreAddress(string Name, string LegacyKey)
{
    public static readonly StoreAddress Database = new("coupons", "Database:ConnectionString");
    public static readonly StoreAddress Redis = new("redis", "Redis:Configuration");
    public static readonly StoreAddress Kafka = new("kafka", "Kafka:BootstrapServers");

    public static readonly IReadOnlyList<StoreAddress> All = [Database, Redis, Kafka];

    public string Key => $"ConnectionStrings:{Name}";

    /// <summary>The key as an environment variable spells it, as error messages and docs name settings.</summary>
    public string Variable => Key.Replace(":", "__", StringComparison.Ordinal);

    public string LegacyVariable => LegacyKey.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>The address configured, or null when neither key holds one.</summary>
    public string? Read(IConfiguration configuration) => Winner(configuration)?.Value;

    /// <summary>
    /// What to tell the operator when the old key is set: read in place of the new one, or ignored beside it.
    /// </summary>
    public string? LegacyWarning(IConfiguration configuration)
    {
        if (Given(configuration[LegacyKey]) is null && !Sources(configuration).Any(source => Given(source, LegacyKey) is not null))
        {
            return null;
        }

        return Winner(configuration)!.Value.Legacy
            ? $"{LegacyVariable} is read as {Variable} for this release only: rename it"
            : $"{LegacyVariable} is ignored: {Variable} is set in the same or a later source and wins; remove {LegacyVariable}";
    }

    /// <summary>
    /// Whichever of the two keys the latest source sets, as configuration itself picks between two sources: an old
    /// key in the environment wins over the new one in appsettings.Development.json, as it did before it was renamed.
    /// Within one source the new key wins. A blank value is no address (a variable declared and left empty).
    /// </summary>
    private (string Value, bool Legacy)? Winner(IConfiguration configuration)
    {
        if (configuration is not IConfigurationRoot root)
        {
            return Given(configuration[Key]) is { } value ? (value, false)
                : Given(configuration[LegacyKey]) is { } legacy ? (legacy, true) : null;
        }

        foreach (var source in root.Providers.Reverse())
        {
            if (Given(source, Key) is { } value)
            {
                return (value, false);
            }

            if (Given(source, LegacyKey) is { } legacy)
            {
                return (legacy, true);
            }
        }

        return null;
    }

    private static IEnumerable<IConfigurationProvider> Sources(IConfiguration configuration) =>
        configuration is IConfigurationRoot root ? root.Providers : [];

    private static string? Given(IConfigurationProvider source, string key) => source.TryGet(key, out var value) ? Given(value) : null;

    private static string? Given(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
