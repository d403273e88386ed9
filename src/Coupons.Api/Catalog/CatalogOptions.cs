namespace Coupons.Catalog;

/// <summary>
/// The catalog's limits; the composition root sets them from the Issuance settings (one place to configure).
/// </summary>
public sealed class CatalogOptions
{
    /// <summary>
    /// How long a definition read before a MySQL outage stands in while MySQL cannot be reached
    /// (Issuance:MaxDatabaseOutage: how long FCFS keeps accepting through one).
    /// </summary>
    public TimeSpan MaxStale { get; set; } = TimeSpan.FromMinutes(10);
}
