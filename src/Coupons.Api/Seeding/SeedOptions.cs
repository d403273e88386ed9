using System.ComponentModel.DataAnnotations;

namespace Coupons.Seeding;

public sealed class SeedOptions
{
    public const string Section = "Seed";

    /// <summary>Seed the guide's demo data (design.md §1): coupon 11 (stock 100, open now), test-user and
    /// demo-user-1..N.</summary>
    public bool DemoData { get; set; }

    [Range(1, 1_000_000)]
    public int DemoUsers { get; set; } = 1000;

    public const long DemoCouponId = 11;
    public const int DemoCouponStock = 100;
}
