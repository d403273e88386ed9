namespace Coupons.Admin;

public sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>Local-dev default, used only when the app runs in embedded mode. Never valid against real infrastructure.</summary>
    public const string EmbeddedDevKey = "local-dev-admin-key";

    /// <summary>From the environment (<c>Admin__ApiKey</c>) or a secrets file; empty disables the admin API.</summary>
    public string ApiKey { get; set; } = "";
}
