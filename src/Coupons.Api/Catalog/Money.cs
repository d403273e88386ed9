namespace Coupons.Catalog;

/// <summary>Amounts of money as the database stores them: DECIMAL(12,2), never negative.</summary>
public static class Money
{
    /// <summary>
    /// The largest amount accepted anywhere (an order, a discount, a minimum): well inside DECIMAL(12,2).
    /// </summary>
    public const decimal Max = 1_000_000_000m;

    /// <summary>At most two decimals, not negative, at most <see cref="Max"/>.</summary>
    public static bool IsAmount(decimal value) => value is >= 0 and <= Max && decimal.Round(value, 2) == value;
}
