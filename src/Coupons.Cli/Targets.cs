using System.CommandLine;
using Coupons.Cli.Contexts;
using Spectre.Console;

namespace Coupons.Cli;

/// <summary>One app replica: its public address and where its admin API and /metrics are.</summary>
public sealed record Replica(Uri App, Uri Admin);

/// <summary>
/// Where couponctl looks: every target is an option, else an environment variable, else the current context
/// (<see cref="CliSettings"/>), else a local default (the embedded dev mode, where one listener serves everything).
/// <c>--url</c> may be given once per replica (status reads each); actions, drills and collect act through one. The
/// admin key: <c>--admin-key</c>, else the file of <c>--admin-key-file</c>, else <c>COUPONCTL_ADMIN_KEY</c>, else the
/// file of <c>COUPONCTL_ADMIN_KEY_FILE</c> or of the context (a context's only with its own addresses); the embedded
/// dev mode's published key only for its own address (127.0.0.1 or localhost :8081, admin address included) with no
/// context in use; otherwise none.
/// </summary>
public sealed record Targets(Uri App, Uri Admin, string AdminKey, Uri? Alertmanager)
{
    public static readonly Option<string[]> AppOption = new("--url")
    {
        Description = "The service's public address (health, issuable coupons); once per replica for status. Env COUPONCTL_URL (comma-separated).",
        DefaultValueFactory = _ => FromSettings("COUPONCTL_URL") ?? [EmbeddedDevAddress],
    };

    public static readonly Option<string[]> AdminOption = new("--admin-url")
    {
        Description = "Where the admin API and /metrics are, if not on --url (Admin__Url, e.g. :9081): none, or one per --url in the same order. Env COUPONCTL_ADMIN_URL (comma-separated).",
    };

    public static readonly Option<string?> AdminKeyOption = new("--admin-key")
    {
        Description = "Admin API key; prefer COUPONCTL_ADMIN_KEY or --admin-key-file (a key typed here is in shell history and ps).",
    };

    public static readonly Option<string?> AdminKeyFileOption = new("--admin-key-file")
    {
        Description = "A file holding the admin key (a read-scoped one is enough for status and collect). Env COUPONCTL_ADMIN_KEY_FILE, or the context's.",
    };

    /// <summary>Where the embedded dev mode listens: the default target.</summary>
    public const string EmbeddedDevAddress = "http://127.0.0.1:8081";

    /// <summary>
    /// The embedded dev mode's published key (Coupons.Admin.AdminOptions.EmbeddedDevKey): sent to nothing else.
    /// </summary>
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

    /// <summary>
    /// For a command that acts through one replica (a drill, collect): it refuses a list (a context's two replicas)
    /// rather than quietly using the first, which for <c>drill app-kill</c> would kill the one it watches.
    /// </summary>
    public static int? RefuseManyReplicas(Targets targets, string command, CliOutput output)
    {
        if (targets.Replicas.Count <= 1)
        {
            return null;
        }

        var problem = $"{command} acts through one replica; {targets.Replicas.Count} were given (--url, COUPONCTL_URL or the context): give one --url (and its --admin-url)";
        output.Text.MarkupLineInterpolated($"[red]{problem}[/]");
        if (output.IsJson)
        {
            output.WriteJson(new OutcomeJson(command, 1, "usage", ExitCodes.Usage, problem));
        }

        return ExitCodes.Usage;
    }

    public static void AddTo(Command command)
    {
        command.Options.Add(AppOption);
        command.Options.Add(AdminOption);
        command.Options.Add(AdminKeyOption);
        command.Options.Add(AdminKeyFileOption);
        command.Options.Add(AlertmanagerOption);
        command.Validators.Add(result =>
        {
            if (!ParsedValue.TryRead(() => (Resolve(o => result.GetValue(o), o => result.GetValue(o), o => result.GetResult(o) is { Implicit: false }),
                    result.GetValue(AlertmanagerOption)), out var read))
            {
                return;
            }

            var (resolved, alertmanager) = read;
            if (resolved.Admins.Length > 0 && resolved.Admins.Length != resolved.Apps.Length)
            {
                result.AddError($"--admin-url is given {resolved.Admins.Length} times for {resolved.Apps.Length} --url: give none, or one per --url in the same order");
            }

            foreach (var (name, values) in new[] { ("--url", resolved.Apps), ("--admin-url", resolved.Admins), ("--alertmanager", alertmanager is { Length: > 0 } am ? [am] : []) })
            {
                foreach (var value in values.Where(v => !IsHttpAddress(v)))
                {
                    result.AddError($"{name} {value} is not an http:// or https:// address");
                }
            }

            if (resolved.KeyFile is { Length: > 0 } file && resolved.Key is null && ReadKeyFile(file) is null)
            {
                result.AddError($"the admin key file {file} cannot be read (--admin-key-file, COUPONCTL_ADMIN_KEY_FILE or the context)");
            }
        });
    }

    public static Targets From(ParseResult parse)
    {
        var resolved = Resolve(o => parse.GetValue(o), o => parse.GetValue(o), o => parse.GetResult(o) is { Implicit: false });
        var apps = resolved.Apps.Select(a => new Uri(a)).ToList();
        var admins = resolved.Admins.Length > 0 ? resolved.Admins.Select(u => new Uri(u)).ToList() : apps;
        var replicas = apps.Zip(admins, (app, admin) => new Replica(app, admin)).ToList();
        var alertmanager = parse.GetValue(AlertmanagerOption) is { Length: > 0 } am ? new Uri(am) : null;
        var key = resolved.Key ?? (resolved.KeyFile is { Length: > 0 } file ? ReadKeyFile(file) ?? ""
            : ContextStore.Load(CliSettings.ConfigFile).Current is null && replicas.All(r => IsEmbeddedDevAddress(r.App) && IsEmbeddedDevAddress(r.Admin))
                ? EmbeddedDevKey
                : "");
        return new Targets(replicas[0].App, replicas[0].Admin, key, alertmanager) { Replicas = replicas };
    }

    /// <summary>The addresses, the key and the key file, as the options, the environment and the context say
    /// together.</summary>
    /// <param name="Key">A key given itself (--admin-key, or COUPONCTL_ADMIN_KEY unless --admin-key-file was
    /// given).</param>
    private sealed record Resolved(string[] Apps, string[] Admins, string? Key, string? KeyFile);

    /// <summary>
    /// Option over environment over context, with one rule more: a context's admin addresses and key file belong to its
    /// own addresses, so addresses given by option or environment take neither (a context's key is never sent to a
    /// host it does not name, nor an action pointed at one replica sent to another's admin listener).
    /// </summary>
    private static Resolved Resolve(Func<Option<string[]>, string[]?> many, Func<Option<string?>, string?> one, Func<Option, bool> isGiven)
    {
        var apps = many(AppOption) is { Length: > 0 } given ? given : FromSettings("COUPONCTL_URL") ?? [EmbeddedDevAddress];
        var contextAddresses = !isGiven(AppOption) && CliSettings.Environment("COUPONCTL_URL") is not { Length: > 0 }
            && CliSettings.FromContext("COUPONCTL_URL") is not null;
        string? Setting(string name) => CliSettings.Environment(name) is { Length: > 0 } fromEnvironment ? fromEnvironment
            : contextAddresses ? CliSettings.FromContext(name) : null;

        var admins = isGiven(AdminOption) ? many(AdminOption) ?? [] : Split(Setting("COUPONCTL_ADMIN_URL"));
        // A key or key file typed on the command line first, then the environment's key, then a key file's path.
        return isGiven(AdminKeyOption) ? new Resolved(apps, admins, one(AdminKeyOption), null)
            : isGiven(AdminKeyFileOption) ? new Resolved(apps, admins, null, one(AdminKeyFileOption))
            : CliSettings.Environment("COUPONCTL_ADMIN_KEY") is { Length: > 0 } fromEnvironment ? new Resolved(apps, admins, fromEnvironment, null)
            : new Resolved(apps, admins, null, Setting("COUPONCTL_ADMIN_KEY_FILE"));
    }

    private static string[] Split(string? list) => list?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

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

    private static string[]? FromSettings(string name) => Split(CliSettings.Get(name)) is { Length: > 0 } values ? values : null;
}
