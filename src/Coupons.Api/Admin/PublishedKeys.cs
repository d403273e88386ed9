namespace Coupons.Admin;

/// <summary>
/// Admin keys committed to this repository: anyone who can read it knows them, so they guard a developer's machine and
/// nothing else. Production refuses each of them unless <c>Production__AllowDevAdminKey=true</c>
/// (<see cref="ProductionGuard"/>).
/// </summary>
public static class PublishedKeys
{
    /// <summary>
    /// The local production topology's admin key, <c>Topology:AdminApiKey</c> in src/Coupons.AppHost/appsettings.json.
    /// The AppHost runs this app as a project resource and cannot use its types, so the literal is there and here; a
    /// unit test keeps the two equal.
    /// </summary>
    public const string TopologyAdminKey = "local-topology-admin-key-NOT-A-SECRET-0001";

    /// <summary>
    /// The local topology's read-scoped key, <c>Topology:ReadAdminApiKey</c> (kept equal by the same test).
    /// </summary>
    public const string TopologyReadKey = "local-topology-read-key-NOT-A-SECRET-000001";

    public static IReadOnlyList<string> AdminKeys { get; } = [AdminOptions.EmbeddedDevKey, TopologyAdminKey, TopologyReadKey];

    public static bool IsPublished(string adminKey) => AdminKeys.Contains(adminKey, StringComparer.Ordinal);
}
