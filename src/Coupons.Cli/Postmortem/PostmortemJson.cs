namespace Coupons.Cli.Postmortem;

/// <summary>
/// <c>couponctl postmortem --output json</c> (docs/couponctl-json.md): the window drafted and where the draft is.
/// </summary>
public sealed record PostmortemJson(string Command, int ShapeVersion, DateTimeOffset From, DateTimeOffset To, string Markdown)
{
    public static PostmortemJson Of(DateTimeOffset from, DateTimeOffset to, string markdown) => new("postmortem", 1, from, to, Path.GetFullPath(markdown));
}
