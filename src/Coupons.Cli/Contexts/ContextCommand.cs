using System.CommandLine;
using System.Text.RegularExpressions;
using Spectre.Console;

namespace Coupons.Cli.Contexts;

/// <summary>
/// <c>couponctl context add|use|list|show|remove</c>: named sets of targets, as kubectl's contexts. <c>add</c> takes
/// the same targets as the other commands, except the admin key: only the path of a file holding it
/// (<c>--admin-key-file</c>), so no key sits in the contexts file or in shell history.
/// </summary>
public static partial class ContextCommand
{
    private static readonly Argument<string> Name = new("name") { Description = "The context's name." };

    private static readonly (Option Option, string Setting)[] Targets =
    [
        (new Option<string[]>("--url") { Description = "The service's public address; once per replica." }, "COUPONCTL_URL"),
        (new Option<string[]>("--admin-url") { Description = "Admin listener per --url, same order." }, "COUPONCTL_ADMIN_URL"),
        (new Option<string>("--admin-key-file") { Description = "A file holding the admin key (a read-scoped key for status and collect)." }, "COUPONCTL_ADMIN_KEY_FILE"),
        (new Option<string>("--alertmanager") { Description = "Alertmanager's address." }, "COUPONCTL_ALERTMANAGER"),
        (new Option<string>("--prometheus") { Description = "Prometheus's address." }, "COUPONCTL_PROMETHEUS"),
        (new Option<string>("--mysql") { Description = "MariaDB connection string of a read-only user." }, "COUPONCTL_MYSQL"),
        (new Option<string>("--redis") { Description = "Redis host:port." }, "COUPONCTL_REDIS"),
        (new Option<string>("--kafka") { Description = "Kafka bootstrap servers." }, "COUPONCTL_KAFKA"),
        (new Option<string>("--stack") { Description = "Drill stack: topology or test." }, "COUPONCTL_STACK"),
    ];

    private static readonly Option<bool> Use = new("--use") { Description = "Make it the current context too." };

    public static Command Create(IAnsiConsole console)
    {
        var add = new Command("add", "Add or replace a context: the targets the other commands use while it is current.") { Name, Use };
        foreach (var (option, _) in Targets)
        {
            add.Options.Add(option);
        }

        add.SetAction(parse => Save(parse, console, store =>
        {
            var name = parse.GetValue(Name)!;
            var settings = new Dictionary<string, string>();
            foreach (var (option, setting) in Targets)
            {
                var value = parse.GetResult(option)?.GetValueOrDefault<object>() switch
                {
                    string[] many => string.Join(',', many),
                    string one => one,
                    _ => null,
                };
                if (value is { Length: > 0 })
                {
                    settings[setting] = setting == "COUPONCTL_ADMIN_KEY_FILE" ? Path.GetFullPath(value) : value;
                }
            }

            var changed = store.With(name, settings);
            return (parse.GetValue(Use) ? changed with { CurrentName = name } : changed, $"context {name} saved{(parse.GetValue(Use) ? " and in use" : "")}");
        }));

        var use = new Command("use", "Make a context the current one.") { Name };
        use.SetAction(parse => Save(parse, console, store => store.Contexts.ContainsKey(parse.GetValue(Name)!)
            ? (store with { CurrentName = parse.GetValue(Name) }, $"using context {parse.GetValue(Name)}")
            : (null, $"no context named {parse.GetValue(Name)} (couponctl context list)")));

        var remove = new Command("remove", "Remove a context.") { Name };
        remove.SetAction(parse => Save(parse, console, store =>
        {
            var name = parse.GetValue(Name)!;
            if (!store.Contexts.ContainsKey(name))
            {
                return (null, $"no context named {name}");
            }

            var left = store.Contexts.Where(c => c.Key != name).ToDictionary();
            return (new ContextStore(store.CurrentName == name ? null : store.CurrentName, left), $"context {name} removed");
        }));

        var list = new Command("list", "List the contexts; the current one is marked.");
        list.SetAction(parse => Show(parse, console, null));
        var show = new Command("show", "Show a context's settings (the current one by default), passwords masked.") { new Argument<string?>("name") { Arity = ArgumentArity.ZeroOrOne } };
        show.SetAction(parse => Show(parse, console, parse.GetValue<string?>("name") ?? ContextStore.Load(CliSettings.ConfigFile).CurrentName ?? ""));

        return new Command("context", $"Named sets of targets, kubectl-style (kept in {CliSettings.ConfigFile}; COUPONCTL_CONFIG moves it).")
        {
            add, use, list, show, remove,
        };
    }

    /// <summary>The document <c>context list|show --output json</c> writes (docs/couponctl-json.md).</summary>
    public sealed record ContextsJson(string Command, int ShapeVersion, string File, string? Current, IReadOnlyList<CliContextJson> Contexts);

    public sealed record CliContextJson(string Name, bool Current, IReadOnlyDictionary<string, string> Settings);

    private static int Save(ParseResult parse, IAnsiConsole console, Func<ContextStore, (ContextStore? Changed, string Message)> change)
    {
        var output = CliOutput.From(parse, console);
        var (changed, message) = change(ContextStore.Load(CliSettings.ConfigFile));
        if (changed is not null)
        {
            changed.Save(CliSettings.ConfigFile);
        }

        var code = changed is null ? ExitCodes.Usage : ExitCodes.Ok;
        if (output.IsJson)
        {
            output.WriteJson(new OutcomeJson(CliOutput.CommandName(parse), 1, changed is null ? "usage" : "done", code, message));
        }
        else
        {
            output.Text.MarkupLine(changed is null ? $"[red]{Markup.Escape(message)}[/]" : Markup.Escape(message));
        }

        return code;
    }

    private static int Show(ParseResult parse, IAnsiConsole console, string? only)
    {
        var output = CliOutput.From(parse, console);
        var store = ContextStore.Load(CliSettings.ConfigFile);
        if (only is not null && !store.Contexts.ContainsKey(only))
        {
            var problem = only.Length == 0 ? "no context is in use (couponctl context use NAME)" : $"no context named {only} (couponctl context list)";
            output.Text.MarkupLineInterpolated($"[red]{problem}[/]");
            if (output.IsJson)
            {
                output.WriteJson(new OutcomeJson(CliOutput.CommandName(parse), 1, "usage", ExitCodes.Usage, problem));
            }

            return ExitCodes.Usage;
        }

        var contexts = store.Contexts.Where(c => only is null || c.Key == only).OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new CliContextJson(c.Key, c.Key == store.CurrentName, c.Value.ToDictionary(s => s.Key, s => Masked(s.Value)))).ToList();
        if (output.IsJson)
        {
            output.WriteJson(new ContextsJson($"context {parse.CommandResult.Command.Name}", 1, CliSettings.ConfigFile, store.CurrentName, contexts));
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumns("", "context", "settings");
        contexts.ForEach(c => table.AddRow(c.Current ? "*" : "", Markup.Escape(c.Name), Markup.Escape(string.Join("\n", c.Settings.Select(s => $"{s.Key}={s.Value}")))));
        console.Write(table);
        console.MarkupLineInterpolated($"{contexts.Count} contexts in {CliSettings.ConfigFile}");
        return ExitCodes.Ok;
    }

    /// <summary>A password inside a connection string (quoted or not) or a URL's user-info is never shown.</summary>
    public static string Masked(string value) => UserInfoPassword().Replace(PasswordInValue().Replace(value, "$1***"), "$1***@");

    [GeneratedRegex(@"((?:password|pwd)\s*=\s*)(?:""(?:[^""]|"""")*""|'(?:[^']|'')*'|[^;]*)", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordInValue();

    [GeneratedRegex(@"(://[^/:@\s]*:)[^@/\s]*@")]
    private static partial Regex UserInfoPassword();
}
