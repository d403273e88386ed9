namespace Coupons.Admin;

public sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>
    /// Local-dev default, used only when the app runs in embedded mode. Never valid against real infrastructure.
    /// </summary>
    public const string EmbeddedDevKey = "local-dev-admin-key";

    /// <summary>The id audit rows name <see cref="ApiKey"/> by.</summary>
    public const string SingleKeyId = "admin-key";

    /// <summary>
    /// One admin key, from the environment (<c>Admin__ApiKey</c>) or a secrets file. With no key at all (here or in
    /// <see cref="Keys"/>) the admin API refuses every call.
    /// </summary>
    public string ApiKey { get; set; } = "";

    /// <summary>
    /// Named admin keys, all valid at once: rotate by adding the new key, moving callers, then removing the old one.
    /// The id is what the audit records as "who" (<c>Admin__Keys__0__Id</c>, <c>Admin__Keys__0__Key</c>).
    /// </summary>
    public List<AdminKey> Keys { get; set; } = [];

    /// <summary>
    /// Optional: a user bearer token (same issuer, audience and keys as <c>Auth</c>) whose <c>role</c> or <c>roles</c>
    /// claim holds this value is accepted instead of a key. Empty: keys only.
    /// </summary>
    public string TokenRole { get; set; } = "";

    /// <summary>
    /// When set (e.g. <c>http://10.0.0.5:9081</c>), a second listener: the admin API and <c>/metrics</c> are served
    /// only on its port, and the public listener behind nginx answers 404 for them whatever Host header is sent (the
    /// check is on the connection's local port). Empty: one listener for everything.
    /// </summary>
    public string Url { get; set; } = "";

    /// <summary>The admin listener's port, or null when there is none.</summary>
    public int? Port => Uri.TryCreate(Url, UriKind.Absolute, out var uri) ? uri.Port : null;

    /// <summary>Every valid key with its id.</summary>
    public IEnumerable<AdminKey> AllKeys()
    {
        if (ApiKey.Length > 0)
        {
            yield return new AdminKey { Id = SingleKeyId, Key = ApiKey, Scope = AdminScope.Operate };
        }

        foreach (var key in Keys.Where(k => k.Key.Length > 0))
        {
            yield return key;
        }
    }

    /// <summary>
    /// Key settings the binder would get wrong without a word: a scope that is not <c>Read</c> or <c>Operate</c> by
    /// name (the binder drops the whole entry for "read-only", takes "1" as Read and "2" as a scope that does not
    /// exist), and a setting it does not know (<c>Scopes=Read</c> would leave the key with the default, Operate).
    /// </summary>
    public static IReadOnlyList<string> KeySettingProblems(IConfiguration configuration)
    {
        var problems = new List<string>();
        foreach (var entry in configuration.GetSection($"{Section}:{nameof(Keys)}").GetChildren())
        {
            var name = $"{Section}__{nameof(Keys)}__{entry.Key}";
            foreach (var setting in entry.GetChildren().Where(c => c.Key is not (nameof(AdminKey.Id) or nameof(AdminKey.Key) or nameof(AdminKey.Scope))))
            {
                problems.Add($"{name}__{setting.Key} is not a key setting (Id, Key, Scope)");
            }

            if (entry[nameof(AdminKey.Scope)] is { } scope
                && !Enum.GetNames<AdminScope>().Contains(scope.Trim(), StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"{name}__{nameof(AdminKey.Scope)}='{scope}' is neither Read nor Operate");
            }
        }

        return problems;
    }

    /// <summary>The configured keys with the setting each came from (for the production guard's messages).</summary>
    public static IEnumerable<(string Setting, string Key)> ConfiguredKeys(IConfiguration configuration)
    {
        if (configuration[$"{Section}:{nameof(ApiKey)}"] is { Length: > 0 } single)
        {
            yield return ($"{Section}__{nameof(ApiKey)}", single);
        }

        foreach (var key in configuration.GetSection($"{Section}:{nameof(Keys)}").GetChildren())
        {
            if (key[nameof(AdminKey.Key)] is { Length: > 0 } value)
            {
                yield return ($"{Section}__{nameof(Keys)}__{key.Key}__{nameof(AdminKey.Key)}", value);
            }
        }
    }
}

public sealed class AdminKey
{
    /// <summary>Names the key in the audit and logs (never the key itself).</summary>
    public string Id { get; set; } = "";

    public string Key { get; set; } = "";

    /// <summary>
    /// What the key may do (<c>Admin__Keys__0__Scope</c>): <see cref="AdminScope.Operate"/> (the default) everything,
    /// <see cref="AdminScope.Read"/> only read (<c>GET</c>): give on-call's <c>couponctl status</c> and <c>collect</c>
    /// a key that cannot act.
    /// </summary>
    public AdminScope Scope { get; set; } = AdminScope.Operate;
}

public enum AdminScope
{
    /// <summary>Every admin call: read, and act (open, rebuild, reconcile, pause, replay, create).</summary>
    Operate,

    /// <summary>
    /// Reads only: every <c>GET</c> of the admin API; anything else is 403 <c>ADMIN_KEY_READ_ONLY</c>.
    /// </summary>
    Read,
}
