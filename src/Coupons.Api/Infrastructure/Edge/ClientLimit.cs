namespace Coupons.Infrastructure.Edge;

/// <summary>Endpoint metadata: which per-client allowance a call of this endpoint counts against.</summary>
public sealed class ClientLimit
{
    public static readonly ClientLimit Click = new("click");
    public static readonly ClientLimit Read = new("read");
    public static readonly ClientLimit Admin = new("admin");

    private ClientLimit(string name) => Name = name;

    public string Name { get; }

    /// <summary>The client a call counts against under <paramref name="limit"/>: its address, or null when the endpoint is not so limited.</summary>
    public static string? ClientOf(HttpContext context, ClientLimit limit) =>
        context.GetEndpoint()?.Metadata.GetMetadata<ClientLimit>() == limit
            ? context.Connection.RemoteIpAddress?.ToString() ?? "unknown"
            : null;
}
