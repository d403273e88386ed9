namespace Coupons.Pauses;

/// <summary>
/// A sale an operator stopped (the guide's "turn the API off" step for a sick service): clicks on it answer 503
/// <c>SALE_PAUSED</c> until it is resumed, while requests already accepted are still issued. A row of
/// <c>sale_pauses</c>; times are UTC.
/// </summary>
public sealed record SalePause
{
    /// <summary>The <see cref="CouponId"/> that stands for every sale: the global switch.</summary>
    public const long EverySale = 0;

    public long CouponId { get; init; }

    public DateTime PausedAt { get; init; }

    /// <summary>The admin key's actor that paused it.</summary>
    public string PausedBy { get; init; } = "";

    /// <summary>Why, as the operator wrote it (for the on-call and the post-mortem; never shown to shoppers).</summary>
    public string? Reason { get; init; }

    public bool CoversEverySale => CouponId == EverySale;

    /// <summary>
    /// The pause that stops <paramref name="couponId"/>'s clicks among <paramref name="pauses"/>: every sale's first,
    /// else its own; null when none.
    /// </summary>
    public static SalePause? StoppingSale(IReadOnlyDictionary<long, SalePause> pauses, long couponId) =>
        pauses.GetValueOrDefault(EverySale) ?? pauses.GetValueOrDefault(couponId);
}
