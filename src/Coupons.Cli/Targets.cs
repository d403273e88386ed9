using System.CommandLine;

namespace Coupons.Cli;

/// <summary>One app replica: its public address and where its admin API and /metrics are.</summary>
public sealed record Replica(Uri App, Uri Admin);

/// <summary>
/// Where couponctl looks: every target is an option with an environment variable and a local default (the embedded
/// dev mode, where one listener serves everything). <c>--url</c> may be given once per replica (status reads each);
/// the other commands act through the first.
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

    public static readonly Option<string> AdminKeyOption = new("--admin-key")
    {
        Description = "Admin API key. Env COUPONCTL_ADMIN_KEY (default: the embedded dev mode's local key).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("COUPONCTL_ADMIN_KEY") ?? "local-dev-admin-key",
    };

    public static readonly Option<string?> AlertmanagerOption = new("--alertmanager")
    {
        Description = "Alertmanager's address, for the alerts firing now (e.g. http://127.0.0.1:9093). Env COUPONCTL_ALERTMANAGER.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("COUPONCTL_ALERTMANAGER"),
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
        command.Options.Add(AlertmanagerOption);
        command.Validators.Add(result =>
        {
            var apps = result.GetValue(AppOption) ?? [];
            var admins = result.GetValue(AdminOption) ?? [];
            if (admins.Length > 0 && admins.Length != apps.Length)
            {
                result.AddError($"--admin-url is given {admins.Length} times for {apps.Length} --url: give none, or one per --url in the same order");
            }
        });
    }

    public static Targets From(ParseResult parse)
    {
        var apps = parse.GetValue(AppOption)!.Select(a => new Uri(a)).ToList();
        var admins = parse.GetValue(AdminOption) is { Length: > 0 } a ? a.Select(u => new Uri(u)).ToList() : apps;
        var replicas = apps.Zip(admins, (app, admin) => new Replica(app, admin)).ToList();
        var alertmanager = parse.GetValue(AlertmanagerOption) is { Length: > 0 } am ? new Uri(am) : null;
        return new Targets(replicas[0].App, replicas[0].Admin, parse.GetValue(AdminKeyOption)!, alertmanager) { Replicas = replicas };
    }

    private static string[]? FromEnvironment(string name) =>
        Environment.GetEnvironmentVariable(name)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } values
            ? values
            : null;
}
