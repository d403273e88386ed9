using System.CommandLine;

namespace Coupons.Cli;

/// <summary>
/// Where couponctl looks: every target is an option with an environment variable and a local default (the embedded
/// dev mode, where one listener serves everything).
/// </summary>
public sealed record Targets(Uri App, Uri Admin, string AdminKey, Uri? Alertmanager)
{
    public static readonly Option<string> AppOption = new("--url")
    {
        Description = "The service's public address (health, issuable coupons). Env COUPONCTL_URL.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("COUPONCTL_URL") ?? "http://127.0.0.1:8081",
    };

    public static readonly Option<string?> AdminOption = new("--admin-url")
    {
        Description = "Where the admin API and /metrics are, if not on --url (Admin__Url, e.g. :9081). Env COUPONCTL_ADMIN_URL.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("COUPONCTL_ADMIN_URL"),
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

    public static void AddTo(Command command)
    {
        command.Options.Add(AppOption);
        command.Options.Add(AdminOption);
        command.Options.Add(AdminKeyOption);
        command.Options.Add(AlertmanagerOption);
    }

    public static Targets From(ParseResult parse)
    {
        var app = new Uri(parse.GetValue(AppOption)!);
        var admin = parse.GetValue(AdminOption) is { Length: > 0 } a ? new Uri(a) : app;
        var alertmanager = parse.GetValue(AlertmanagerOption) is { Length: > 0 } am ? new Uri(am) : null;
        return new Targets(app, admin, parse.GetValue(AdminKeyOption)!, alertmanager);
    }
}
