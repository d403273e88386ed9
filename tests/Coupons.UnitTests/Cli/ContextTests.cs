using System.CommandLine;
using System.Text.Json;
using Coupons.Cli;
using Coupons.Cli.Contexts;
using Spectre.Console;

namespace Coupons.UnitTests.Cli;

/// <summary>
/// Issue 22: contexts like kubectl's, so the local topology needs one <c>couponctl context use</c> instead of eight
/// exported variables; the admin key from a file or the environment, never stored in a context, never needed on the
/// command line, and the dev mode's published key sent to nothing but the dev mode's own address.
/// </summary>
public sealed class ContextTests : IDisposable
{
    private static readonly IAnsiConsole Quiet = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });

    private readonly DirectoryInfo _home = Directory.CreateTempSubdirectory("couponctl-contexts-");

    private string ConfigFile => Path.Combine(_home.FullName, "config.json");

    private string KeyFile => Path.Combine(_home.FullName, "admin-key");

    public void Dispose() => _home.Delete(recursive: true);

    [Fact]
    public async Task A_context_in_use_gives_every_target_and_the_key_from_its_file()
    {
        await File.WriteAllTextAsync(KeyFile, "read-scoped-key-from-a-file\n");
        using var _ = CliSettings.Use(Environment());

        Assert.Equal(0, await RunAsync("context", "add", "topology", "--url", "http://127.0.0.1:18181", "--url", "http://127.0.0.1:18182",
            "--admin-url", "http://127.0.0.1:19181", "--admin-url", "http://127.0.0.1:19182", "--admin-key-file", KeyFile,
            "--alertmanager", "http://127.0.0.1:19393", "--use"));

        var targets = TargetsOf("status");
        Assert.Equal(["http://127.0.0.1:18181/", "http://127.0.0.1:18182/"], targets.Replicas.Select(r => r.App.ToString()));
        Assert.Equal(["http://127.0.0.1:19181/", "http://127.0.0.1:19182/"], targets.Replicas.Select(r => r.Admin.ToString()));
        Assert.Equal(("read-scoped-key-from-a-file", "http://127.0.0.1:19393/"), (targets.AdminKey, targets.Alertmanager?.ToString()));
        Assert.DoesNotContain("read-scoped-key-from-a-file", await File.ReadAllTextAsync(ConfigFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_environment_overrides_the_context_and_an_option_overrides_both()
    {
        using (CliSettings.Use(Environment()))
        {
            Assert.Equal(0, await RunAsync("context", "add", "remote", "--url", "http://10.0.0.5:8081", "--use"));
        }

        using (CliSettings.Use(Environment(("COUPONCTL_URL", "http://10.0.0.6:8081"))))
        {
            Assert.Equal("http://10.0.0.6:8081/", TargetsOf("status").App.ToString());
            Assert.Equal("http://10.0.0.7:8081/", TargetsOf("status", "--url", "http://10.0.0.7:8081").App.ToString());
        }
    }

    /// <summary>
    /// Hostile review, 2026-12-07: the context's key went to any --url given, and its admin URL was paired with it.
    /// </summary>
    [Fact]
    public async Task A_contexts_key_and_admin_addresses_stay_with_its_own_addresses()
    {
        await File.WriteAllTextAsync(KeyFile, "production-operate-key\n");
        using (CliSettings.Use(Environment()))
        {
            Assert.Equal(0, await RunAsync("context", "add", "prod", "--url", "https://coupons.prod:8081", "--admin-url", "https://coupons.prod:9081",
                "--admin-key-file", KeyFile, "--use"));

            var elsewhere = TargetsOf("consumer", "pause", "--url", "http://10.9.9.9:8081");
            Assert.Equal(("", "http://10.9.9.9:8081/"), (elsewhere.AdminKey, elsewhere.Admin.ToString()));
            Assert.Equal("production-operate-key", TargetsOf("status").AdminKey);
        }

        using (CliSettings.Use(Environment(("COUPONCTL_URL", "http://10.9.9.9:8081"))))
        {
            Assert.Equal("", TargetsOf("status").AdminKey);
        }
    }

    [Fact]
    public async Task A_key_file_given_as_an_option_beats_the_environments_key()
    {
        await File.WriteAllTextAsync(KeyFile, "operate-key-from-a-file\n");
        using var _ = CliSettings.Use(Environment(("COUPONCTL_ADMIN_KEY", "read-key-from-the-environment")));

        Assert.Equal("operate-key-from-a-file", TargetsOf("status", "--admin-key-file", KeyFile).AdminKey);
        Assert.Equal("read-key-from-the-environment", TargetsOf("status").AdminKey);
        Assert.Equal(ExitCodes.Usage, await RunAsync("status", "--admin-key-file", Path.Combine(_home.FullName, "missing")));
    }

    [Fact]
    public void The_dev_key_goes_to_the_dev_address_only()
    {
        using var _ = CliSettings.Use(Environment());

        Assert.Equal(Targets.EmbeddedDevKey, TargetsOf("status").AdminKey);
        Assert.Equal(Targets.EmbeddedDevKey, TargetsOf("status", "--url", "http://localhost:8081").AdminKey);
        Assert.Equal("", TargetsOf("status", "--url", "http://10.0.0.5:8081").AdminKey);
        Assert.Equal("", TargetsOf("status", "--url", "http://127.0.0.1:18181").AdminKey);
        Assert.Equal("", TargetsOf("dlq", "list", "--admin-url", "http://10.0.0.5:9081").AdminKey);
    }

    [Fact]
    public async Task With_a_context_in_use_the_dev_key_is_not_sent_even_to_the_dev_address()
    {
        using var _ = CliSettings.Use(Environment());
        Assert.Equal(0, await RunAsync("context", "add", "local", "--url", "http://127.0.0.1:8081", "--use"));

        Assert.Equal("", TargetsOf("status").AdminKey);
    }

    [Fact]
    public async Task A_key_cannot_be_stored_in_a_context_and_a_key_file_that_cannot_be_read_is_a_usage_error()
    {
        using var _ = CliSettings.Use(Environment());

        Assert.Equal(ExitCodes.Usage, await RunAsync("context", "add", "leaky", "--admin-key", "a-key-in-the-file"));
        Assert.False(File.Exists(ConfigFile));
        Assert.Equal(ExitCodes.Usage, await RunAsync("status", "--admin-key-file", Path.Combine(_home.FullName, "missing")));
    }

    [Fact]
    public async Task Use_list_show_and_remove_and_passwords_never_shown()
    {
        using var _ = CliSettings.Use(Environment());
        Assert.Equal(0, await RunAsync("context", "add", "a", "--mysql", "Server=db;User ID=couponctl;Password=\"planted;secret\"",
            "--prometheus", "http://user:planted-url-secret@prom:9090"));
        Assert.Equal(0, await RunAsync("context", "add", "b", "--url", "http://10.0.0.5:8081"));
        Assert.Equal(ExitCodes.Usage, await RunAsync("context", "use", "nope"));
        Assert.Equal(0, await RunAsync("context", "use", "a"));

        using var stdout = new StringWriter();
        Assert.Equal(0, await RunAsync(stdout, "context", "list", "-o", "json"));
        var list = JsonDocument.Parse(stdout.ToString()).RootElement;
        Assert.Equal(("context list", "a"), (list.GetProperty("command").GetString(), list.GetProperty("current").GetString()));
        Assert.Equal(["a", "b"], list.GetProperty("contexts").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.DoesNotContain("planted", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("Password=***", stdout.ToString(), StringComparison.Ordinal);

        Assert.Equal(0, await RunAsync("context", "remove", "a"));
        Assert.Null(ContextStore.Load(ConfigFile).CurrentName);
        Assert.Equal(["b"], ContextStore.Load(ConfigFile).Contexts.Keys);
    }

    [Fact]
    public async Task A_drill_or_a_bundle_refuses_a_contexts_two_replicas_rather_than_use_the_first()
    {
        using var _ = CliSettings.Use(Environment());
        Assert.Equal(0, await RunAsync("context", "add", "two", "--url", "http://127.0.0.1:18181", "--url", "http://127.0.0.1:18182", "--use"));

        Assert.Equal(ExitCodes.Usage, await RunAsync("drill", "app-kill", "--stack", "test"));
        Assert.Equal(ExitCodes.Usage, await RunAsync("collect", "--out", Path.Combine(_home.FullName, "b.zip")));
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("{\"contexts\":{\"a\":null}}")]
    [InlineData("{\"current\":\"a\",\"contexts\":{\"a\":{\"COUPONCTL_URL\":null}}}")]
    [InlineData("[]")]
    public async Task A_contexts_file_that_is_not_one_is_a_usage_error_naming_it_or_harmless(string content)
    {
        await File.WriteAllTextAsync(ConfigFile, content);
        using var _ = CliSettings.Use(Environment());
        using var errors = new StringWriter();

        var code = await Couponctl.InvokeAsync(["context", "list"], Quiet, _ => null, new InvocationConfiguration { Output = TextWriter.Null, Error = errors });

        // Either it cannot be read (2, naming the file) or what it holds is ignored (a null context or setting): never
        // a crash.
        Assert.True(code is ExitCodes.Ok or ExitCodes.Usage, $"exit {code}: {errors}");
        if (code == ExitCodes.Usage)
        {
            Assert.Contains(ConfigFile, errors.ToString(), StringComparison.Ordinal);
        }
    }

    private Dictionary<string, string> Environment(params (string Name, string Value)[] more)
    {
        var environment = new Dictionary<string, string> { ["COUPONCTL_CONFIG"] = ConfigFile };
        foreach (var (name, value) in more)
        {
            environment[name] = value;
        }

        return environment;
    }

    private static Targets TargetsOf(params string[] args) => Targets.From(Couponctl.Create(Quiet, _ => null).Parse(args));

    private static Task<int> RunAsync(params string[] args) => RunAsync(TextWriter.Null, args);

    private static Task<int> RunAsync(TextWriter stdout, params string[] args) =>
        Couponctl.InvokeAsync(args, Quiet, _ => null, new InvocationConfiguration { Output = stdout, Error = TextWriter.Null });
}
