using System.CommandLine;
using Coupons.Cli.Contexts;

namespace Coupons.Cli;

/// <summary>One app replica: its public address and where its admin API and /metrics are.</summary>
public sealed record Replica(Uri App, Uri Admin);

/// <summary>
/// Where couponctl looks: every target is an option, else an environment variable, else the current context
/// (<see cref="CliSettings"/>), else a local default (the embedded dev mode, where one listener serves everything).
/// <c>--url</c> may be given once per replica (status reads each); the other commands act through the first. The admin
/// key: <c>--admin-key</c>, else <c>COUPONCTL_ADMIN_KEY</c>, else the file named by <c>--admin-key-file</c>,
/// <c>COUPONCTL_ADMIN_KEY_FILE</c> or the context; the embedded dev mode's published key only for its own address
/// (127.0.0.1 or localhost :8081) with no context in use; otherwise none.
/// </summary>
public sealed record Targets(Uri App, Uri Admin, string AdminKey, Uri? Alertmanager)
{
    public static readonly Option<string[]> AppOption = new("--url")
    {
        Description = "The service's public address (health, issuable coupons); once per replica for status. Env COUPONCTL_URL (comma-separated).",
        DefaultValueFactory = _ => FromEnvironment("COUPONCTL_URL") ?? ["http://127.0.0.1:8081"],
    };

    public static readonly Option<string[]> AdminOption = new("--admin-url")
    {
        Description = "Where the admin API and /metrics are, if not on --url (Admin__Url, e.g. :9081): none, or one per --url in the same order. Env COUPONCTL_ADMIN_URL (comma-separated).",
        DefaultValueFactory = _ => FromEnvironment("COUPONCTL_ADMIN_URL") ?? [],
    };

    public static readonly Option<string?> AdminKeyOption = new("--admin-key")
    {
        Description = "Admin API key; prefer COUPONCTL_ADMIN_KEY or --admin-key-file (a key typed here is in shell history and ps).",
    };

    public static readonly Option<string?> AdminKeyFileOption = new("--admin-key-file")
    {
        Description = "A file holding the admin key (a read-scoped one is enough for status and collect). Env COUPONCTL_ADMIN_KEY_FILE, or the context's.",
        DefaultValueFactory = _ => CliSettings.Get("COUPONCTL_ADMIN_KEY_FILE"),
    };

    /// <summary>The embedded dev mode's published key (Coupons.Admin.AdminOptions.EmbeddedDevKey): sent to nothing else.</summary>
    public const string EmbeddedDevKey = "local-dev-admin-key";

    public static readonly Option<string?> AlertmanagerOption = new("--alertmanager")
    {
        Description = "Alertmanager's address, for the alerts firing now (e.g. http://127.0.0.1:9093). Env COUPONCTL_ALERTMANAGER.",
        DefaultValueFactory = _ => CliSettings.Get("COUPONCTL_ALERTMANAGER"),
    };

    /// <summary>Every replica given, the first one first (it is <see cref="App"/> and <see cref="Admin"/>).</summary>
    public IReadOnlyList<Replica> Replicas
    {
        get => field is { Count: > 0 } ? field : [new Replica(App, Admin)];
        init;
    } = [];

    public static void AddTo(Command command)
    {
        command.Options.Add(AppOption);
        command.Options.Add(AdminOption);
        command.Options.Add(AdminKeyOption);
        command.Options.Add(AdminKeyFileOption);
        command.Options.Add(AlertmanagerOption);
        command.Validators.Add(result =>
        {
            var apps = result.GetValue(AppOption) ?? [];
            var admins = result.GetValue(AdminOption) ?? [];
            if (admins.Length > 0 && admins.Length != apps.Length)
            {
                result.AddError($"--admin-url is given {admins.Length} times for {apps.Length} --url: give none, or one per --url in the same order");
            }

            foreach (var (name, values) in new[] { ("--url", apps), ("--admin-url", admins), ("--alertmanager", result.GetValue(AlertmanagerOption) is { Length: > 0 } am ? [am] : []) })
            {
                foreach (var value in values.Where(v => !IsHttpAddress(v)))
                {
                    result.AddError($"{name} {value} is not an http:// or https:// address");
                }
            }

            if (result.GetValue(AdminKeyOption) is null && CliSettings.Environment("COUPONCTL_ADMIN_KEY") is not { Length: > 0 }
                && result.GetValue(AdminKeyFileOption) is { Length: > 0 } file && ReadKeyFile(file) is null)
            {
                result.AddError($"the admin key file {file} cannot be read (--admin-key-file, COUPONCTL_ADMIN_KEY_FILE or the context)");
            }
        });
    }

    public static Targets From(ParseResult parse)
    {
        var apps = parse.GetValue(AppOption)!.Select(a => new Uri(a)).ToList();
        var admins = parse.GetValue(AdminOption) is { Length: > 0 } a ? a.Select(u => new Uri(u)).ToList() : apps;
        var replicas = apps.Zip(admins, (app, admin) => new Replica(app, admin)).ToList();
        var alertmanager = parse.GetValue(AlertmanagerOption) is { Length: > 0 } am ? new Uri(am) : null;
        return new Targets(replicas[0].App, replicas[0].Admin, AdminKeyFor(parse, apps), alertmanager) { Replicas = replicas };
    }

    private static string AdminKeyFor(ParseResult parse, IReadOnlyList<Uri> apps) =>
        parse.GetValue(AdminKeyOption) is { Length: > 0 } given ? given
        : CliSettings.Environment("COUPONCTL_ADMIN_KEY") is { Length: > 0 } fromEnvironment ? fromEnvironment
        : parse.GetValue(AdminKeyFileOption) is { Length: > 0 } file ? ReadKeyFile(file) ?? ""
        : ContextStore.Load(CliSettings.ConfigFile).Current is null && apps.All(IsEmbeddedDevAddress) ? EmbeddedDevKey
        : "";

    /// <summary>The key in a file (its first line, trimmed), or null when it cannot be read or is empty.</summary>
    private static string? ReadKeyFile(string path)
    {
        try
        {
            return File.ReadLines(path).FirstOrDefault()?.Trim() is { Length: > 0 } key ? key : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private static bool IsHttpAddress(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static bool IsEmbeddedDevAddress(Uri app) => app.Port == 8081 && (app.Host is "127.0.0.1" or "localhost");

    private static string[]? FromEnvironment(string name) =>
        CliSettings.Get(name)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } values
            ? values
            : null;
}
