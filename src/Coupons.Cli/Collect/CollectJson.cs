namespace Coupons.Cli.Collect;

/// <summary>
/// <c>couponctl collect --output json</c> (docs/couponctl-json.md): where the bundle is and each part, collected or
/// missing and why.
/// </summary>
public sealed record CollectJson(string Command, int ShapeVersion, string Bundle, IReadOnlyList<BundlePart> Parts)
{
    public static CollectJson Of(string bundle, IReadOnlyList<BundlePart> parts) => new("collect", 1, Path.GetFullPath(bundle), parts);
}
