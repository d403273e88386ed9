using System.CommandLine;
using Spectre.Console;

namespace Coupons.Cli.Collect;

/// <summary>
/// Where <c>collect</c> reads from; each source that is not given is listed in the manifest as skipped.
/// </summary>
public sealed record CollectSources(Targets Targets, int? Pid, string? MySql, string? Redis, string? Kafka, IReadOnlyList<string> Logs, int LogLines = 5000);

/// <summary>
/// <c>couponctl collect</c>: the diagnostic bundle the guide's first steps gather (design.md §8), as one zip — health,
/// metrics, recent logs, a runtime snapshot and every managed thread's stack of one app process, the effective
/// configuration (secrets redacted by the app), MariaDB's processlist and InnoDB status, Redis INFO and SLOWLOG,
/// consumer group offsets, the DLQ summary. Every part is redacted on its way into the zip (<see cref="Redactor"/>):
/// another session's SQL, a log line, a URL can hold a secret the app never saw.
/// </summary>
public static class CollectCommand
{
    /// <summary>The seed's names, for an app that does not say its own.</summary>
    private const string DefaultGroup = "coupon-issue-service";
    private const string DefaultTopic = "coupon.issue.requested";

    private static readonly Option<string?> Out = new("--out") { Description = "The archive to write (default couponctl-<UTC time>.zip)." };

    private static readonly Option<int?> Pid = new("--pid")
    {
        Description = "The app process for the runtime snapshot and dump (default: the process listening on --admin-url's port, when local).",
    };

    private static readonly Option<string?> MySql = new("--mysql")
    {
        Description = "MariaDB connection string (processlist, InnoDB status). Env COUPONCTL_MYSQL.",
        DefaultValueFactory = _ => Contexts.CliSettings.Get("COUPONCTL_MYSQL"),
    };

    private static readonly Option<string?> Redis = new("--redis")
    {
        Description = "Redis, host:port (INFO, SLOWLOG). Env COUPONCTL_REDIS.",
        DefaultValueFactory = _ => Contexts.CliSettings.Get("COUPONCTL_REDIS"),
    };

    private static readonly Option<string?> Kafka = new("--kafka")
    {
        Description = "Kafka bootstrap servers (consumer groups and offsets). Env COUPONCTL_KAFKA.",
        DefaultValueFactory = _ => Contexts.CliSettings.Get("COUPONCTL_KAFKA"),
    };

    private static readonly Option<string[]> Logs = new("--log") { Description = "An app log file to include (its last 5,000 lines); repeatable.", AllowMultipleArgumentsPerToken = true };

    public static Command Create(IAnsiConsole console)
    {
        var command = new Command("collect", "Write the diagnostic bundle (one zip): health, metrics, logs, runtime snapshot and thread stacks, redacted config, MariaDB, Redis, Kafka, DLQ.");
        Targets.AddTo(command);
        new Option[] { Out, Pid, MySql, Redis, Kafka, Logs }.ToList().ForEach(command.Options.Add);
        command.SetAction(async (parse, ct) =>
        {
            var targets = Targets.From(parse);
            if (Targets.RefuseManyReplicas(targets, "collect", CliOutput.From(parse, console)) is { } refused)
            {
                return refused;
            }

            var path = parse.GetValue(Out) ?? $"couponctl-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}.zip";
            var sources = new CollectSources(targets, parse.GetValue(Pid), parse.GetValue(MySql), parse.GetValue(Redis), parse.GetValue(Kafka), parse.GetValue(Logs) ?? []);
            var parts = await WriteAsync(path, sources, ct);
            var output = CliOutput.From(parse, console);
            if (output.IsJson)
            {
                output.WriteJson(CollectJson.Of(path, parts));
                return ExitCodes.Ok;
            }

            foreach (var part in parts)
            {
                console.MarkupLine($"{(part.Collected ? "[green]collected[/]" : "[yellow]missing[/]  ")} {Markup.Escape(part.File)}: {Markup.Escape(part.Note)}");
            }

            console.MarkupLineInterpolated($"bundle: {path}");
            return ExitCodes.Ok;
        });
        return command;
    }

    public static async Task<IReadOnlyList<BundlePart>> WriteAsync(string path, CollectSources sources, CancellationToken ct)
    {
        using var bundle = new DiagnosticBundle(path, Redactor.For(sources));
        string group, topic;
        using (var app = new AppSources(sources.Targets))
        {
            await bundle.AddTextAsync("app/info.json", app.InfoAsync, "the version and commit the app runs (/actuator/info)");
            await bundle.AddTextAsync("app/health.json", app.HealthAsync, "health (/actuator/health)");
            await bundle.AddTextAsync("app/metrics.txt", app.MetricsAsync, "metrics snapshot (/metrics)");
            await bundle.AddTextAsync("app/config.json", app.ConfigurationAsync, "effective configuration, secrets redacted by the app (/api/admin/config)");
            await bundle.AddTextAsync("app/dead-letters.json", app.DeadLettersAsync, "DLQ summary (/api/admin/dead-letters)");
            group = await app.SettingAsync("Kafka:ConsumerGroup") ?? DefaultGroup;
            topic = await app.SettingAsync("Kafka:Topic") ?? DefaultTopic;
        }

        foreach (var log in sources.Logs)
        {
            await bundle.AddTextAsync($"logs/{Path.GetFileName(log)}", async () => string.Join(Environment.NewLine, (await File.ReadAllLinesAsync(log, ct)).TakeLast(sources.LogLines)), $"recent logs (last {sources.LogLines} lines of {log})");
        }

        if (sources.Logs.Count == 0)
        {
            bundle.Skip("logs/", "recent logs: no --log given (the local topology's replicas log to the Aspire dashboard)");
        }

        var pid = sources.Pid ?? (sources.Targets.Admin.IsLoopback ? ListeningProcess.TryFind(sources.Targets.Admin.Port) : null);
        if (pid is { } p)
        {
            await bundle.AddTextAsync("process/runtime.txt", () => ProcessSources.RuntimeSnapshotAsync(p), $"runtime snapshot of pid {p}");
            await bundle.AddTextAsync("process/threads.txt", () => ProcessSources.ThreadStacksAsync(p, ct), $"every managed thread's stack in pid {p} (from a triage dump read with ClrMD, then deleted)");
        }
        else
        {
            bundle.Skip("process/", "runtime snapshot and thread stacks: no --pid, and nothing local listens on the admin port");
        }

        await AddOrSkipAsync(bundle, sources.MySql, "mysql/", m => [
            ("mysql/processlist.tsv", () => StoreSources.ProcesslistAsync(m), "MariaDB SHOW FULL PROCESSLIST"),
            ("mysql/innodb-status.txt", () => StoreSources.InnoDbStatusAsync(m), "MariaDB SHOW ENGINE INNODB STATUS")], "no --mysql");
        await AddOrSkipAsync(bundle, sources.Redis, "redis/", r => [
            ("redis/info.txt", () => StoreSources.RedisInfoAsync(r), "Redis INFO all"),
            ("redis/slowlog.txt", () => StoreSources.RedisSlowlogAsync(r), "Redis SLOWLOG GET 128")], "no --redis");
        await AddOrSkipAsync(bundle, sources.Kafka, "kafka/", k => [
            ("kafka/consumer-group.txt", () => StoreSources.ConsumerGroupAsync(k, group, topic), $"consumer group {group}: committed offsets, log ends and lag of {topic}")], "no --kafka");

        await bundle.FinishAsync(new { collectedAt = DateTimeOffset.UtcNow, couponctl = CliVersion.Current, app = sources.Targets.App, admin = sources.Targets.Admin, pid });
        return bundle.Parts;
    }

    private static async Task AddOrSkipAsync(DiagnosticBundle bundle, string? source, string folder,
        Func<string, (string File, Func<Task<string>> Read, string What)[]> parts, string why)
    {
        if (source is not { Length: > 0 } s)
        {
            bundle.Skip(folder, why);
            return;
        }

        foreach (var (file, read, what) in parts(s))
        {
            await bundle.AddTextAsync(file, read, what);
        }
    }
}
