using System.Text.Json;

namespace Coupons.Cli.Contexts;

/// <summary>
/// Where couponctl's settings come from, after its options: the environment (<c>COUPONCTL_*</c>), then the current
/// context, kubectl-style: a named set of those same settings in <c>~/.config/couponctl/config.json</c> (or
/// <c>$COUPONCTL_CONFIG</c>), so the local topology needs one <c>couponctl context use</c>, not eight exports. A
/// context never holds an admin key, only the path of a file that does (<c>COUPONCTL_ADMIN_KEY_FILE</c>).
/// </summary>
public static class CliSettings
{
    /// <summary>The settings a context may hold: the environment variables couponctl reads.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "COUPONCTL_URL", "COUPONCTL_ADMIN_URL", "COUPONCTL_ADMIN_KEY_FILE", "COUPONCTL_ALERTMANAGER", "COUPONCTL_PROMETHEUS",
        "COUPONCTL_MYSQL", "COUPONCTL_REDIS", "COUPONCTL_KAFKA", "COUPONCTL_STACK",
    ];

    private static readonly AsyncLocal<Scope?> Overridden = new();

    /// <summary>A setting: the environment's value, else the current context's, else null.</summary>
    public static string? Get(string name) => Environment(name) is { Length: > 0 } fromEnvironment ? fromEnvironment : FromContext(name);

    /// <summary>The current context's value of a setting, or null.</summary>
    public static string? FromContext(string name) =>
        ContextStore.Load(ConfigFile).Current is { } context && context.Settings.TryGetValue(name, out var value) && value is { Length: > 0 } ? value : null;

    /// <summary>
    /// An environment variable (tests give their own: the process's is shared by every test at once).
    /// </summary>
    public static string? Environment(string name) =>
        Overridden.Value is { } scope ? scope.Environment.GetValueOrDefault(name) : System.Environment.GetEnvironmentVariable(name);

    /// <summary>
    /// The contexts file: <c>$COUPONCTL_CONFIG</c>, else <c>$XDG_CONFIG_HOME/couponctl/config.json</c>, else under
    /// ~/.config.
    /// </summary>
    public static string ConfigFile =>
        Environment("COUPONCTL_CONFIG") is { Length: > 0 } path ? path
        : Path.Combine(Environment("XDG_CONFIG_HOME") is { Length: > 0 } xdg ? xdg
            : Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".config"), "couponctl", "config.json");

    /// <summary>
    /// For tests: this environment (and nothing of the process's) until disposed, in this async flow only.
    /// </summary>
    public static IDisposable Use(IReadOnlyDictionary<string, string> environment)
    {
        var previous = Overridden.Value;
        Overridden.Value = new Scope(environment);
        return new Restore(() => Overridden.Value = previous);
    }

    private sealed record Scope(IReadOnlyDictionary<string, string> Environment);

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}

/// <summary>One named context: a set of <see cref="CliSettings.Names"/> values.</summary>
public sealed record CliContext(string Name, IReadOnlyDictionary<string, string> Settings);

/// <summary>The contexts file: which context is current and what each holds. A missing file is no contexts.</summary>
public sealed record ContextStore(string? CurrentName, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Contexts)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public CliContext? Current => CurrentName is { } name && Contexts.TryGetValue(name, out var settings) ? new CliContext(name, settings) : null;

    public static ContextStore Load(string path)
    {
        if (!File.Exists(path))
        {
            return new ContextStore(null, new Dictionary<string, IReadOnlyDictionary<string, string>>());
        }

        try
        {
            var file = JsonSerializer.Deserialize<ContextFile>(File.ReadAllText(path), Json);
            return new ContextStore(file?.Current, (file?.Contexts ?? []).Where(c => c.Value is not null).ToDictionary(
                c => c.Key, c => (IReadOnlyDictionary<string, string>)c.Value
                    .Where(s => CliSettings.Names.Contains(s.Key) && s.Value is not null).ToDictionary()));
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new InvalidDataException($"{path} is not a couponctl contexts file that can be read: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Written whole to a file beside it, created readable by this user only (a MariaDB string may carry a password),
    /// then moved over the old one: a reader never sees half a file, and a crash leaves the old one. Two couponctl
    /// writing at once: the last one's wins whole.
    /// </summary>
    public void Save(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var file = new ContextFile { Current = CurrentName, Contexts = Contexts.ToDictionary(c => c.Key, c => c.Value.ToDictionary()) };
        var temporary = $"{full}.{System.Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, file, Json);
        }

        File.Move(temporary, full, overwrite: true);
    }

    public ContextStore With(string name, IReadOnlyDictionary<string, string> settings) =>
        this with { Contexts = new Dictionary<string, IReadOnlyDictionary<string, string>>(Contexts) { [name] = settings } };

    private sealed class ContextFile
    {
        public string? Current { get; set; }

        public Dictionary<string, Dictionary<string, string>>? Contexts { get; set; }
    }
}
