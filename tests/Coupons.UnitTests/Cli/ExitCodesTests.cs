using System.CommandLine;
using System.Reflection;
using Coupons.Cli;
using System.Net;
using Spectre.Console;

namespace Coupons.UnitTests.Cli;

/// <summary>
/// Issue 22: one table of exit codes, in which "declined", "drill failed", "bad arguments" and "crashed" differ.
/// Before, all four were 1 (System.CommandLine answers a parse error and an unhandled exception with 1, and a declined
/// action and a failed drill both returned 1).
/// </summary>
public sealed class ExitCodesTests
{
    private static readonly IAnsiConsole Quiet = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });

    private static readonly int[] AllCodes = [.. typeof(ExitCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(int)).Select(f => (int)f.GetRawConstantValue()!)];

    public static TheoryData<int> Codes() => [.. AllCodes];

    [Fact]
    public void Every_outcome_has_a_code_of_its_own() => Assert.Equal(AllCodes.Length, AllCodes.Distinct().Count());

    [Fact]
    public void Declined_drill_failed_bad_arguments_and_crashed_differ() =>
        Assert.Equal(4, new[] { ExitCodes.Declined, ExitCodes.DrillFailed, ExitCodes.Usage, ExitCodes.Crashed }.Distinct().Count());

    [Theory]
    [MemberData(nameof(Codes))]
    public void The_help_text_and_the_docs_list_every_code(int code)
    {
        var row = code == ExitCodes.StatusP0 ? "10-13" : code.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Matches($@"(?m)^\s+{row}\s", ExitCodes.Table);
        Assert.Contains($"| {row} |", File.ReadAllText(RepositoryFiles.Path("docs", "couponctl-json.md")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("status", "--no-such-option")]
    [InlineData("reconcile", "not-a-number")]
    [InlineData("status", "--watch", "--output", "json")]
    [InlineData("status", "--output", "yaml")]
    [InlineData("dlq", "replay", "0")]
    [InlineData("status", "--admin-key-file", "--")] // seed b_YpfDG-ued1: the targets' check read an option missing its value and crashed (70)
    [InlineData("status", "--admin-url", "--", "x")]
    [InlineData("status", "--alertmanager", "--alertmanager", "-y", "--alertmanager")] // seed 7-vmqy9vhjP2: an option given twice, read by the check: 70
    [InlineData("campaign", "list", "--incident-start", "--max", "--url", "http://127.0.0.1:1")] // seed eiKDGRS7exP1: --max without a number, read by its range check: 70
    [InlineData("campaign", "list", "--max", "201")]
    public async Task Bad_arguments_are_2_and_nothing_runs(params string[] args)
    {
        using var errors = new StringWriter();
        var code = await Couponctl.InvokeAsync(args, Quiet, _ => throw new InvalidOperationException("nothing may be asked"),
            new InvocationConfiguration { Output = TextWriter.Null, Error = errors });

        Assert.Equal(ExitCodes.Usage, code);
        Assert.NotEmpty(errors.ToString());
    }

    /// <summary>
    /// On main before this change a missing report file was an unhandled exception: exit 1 and a stack trace.
    /// </summary>
    [Theory]
    [InlineData("postmortem", "--drill", "/nonexistent/report.json")]
    [InlineData("postmortem", "--from", "2026-12-07T03:00Z", "--to", "2026-12-07T02:00Z")]
    [InlineData("postmortem", "--from", "yesterday", "--to", "2026-12-07T02:00Z")]
    public async Task A_window_or_report_that_cannot_be_used_is_2(params string[] args) =>
        Assert.Equal(ExitCodes.Usage, await Couponctl.InvokeAsync(args, Quiet, _ => null, new InvocationConfiguration { Output = TextWriter.Null, Error = TextWriter.Null }));

    /// <summary>
    /// Hostile review, 2026-12-07: an HTTP timeout exited 130 ("interrupted") with nothing said, and an unreachable or
    /// refusing service, a bad address or a file that cannot be written exited 70 ("a bug in couponctl").
    /// </summary>
    [Fact]
    public void What_went_wrong_decides_the_code_and_only_the_unforeseen_is_a_crash()
    {
        var refused = new Coupons.Client.ApiProblemException("GET /x", new Coupons.Client.ApiProblem(HttpStatusCode.Forbidden, "ADMIN_KEY_INVALID", null, null, null));
        Assert.Equal(ExitCodes.Refused, CliFailure.Classify(refused).ExitCode);
        Assert.Equal(ExitCodes.Unreachable, CliFailure.Classify(new HttpRequestException("Connection refused")).ExitCode);
        Assert.Equal(ExitCodes.Unreachable, CliFailure.Classify(new TaskCanceledException("timeout", new TimeoutException())).ExitCode);
        Assert.Equal(ExitCodes.Unreachable, CliFailure.Classify(new System.Text.Json.JsonException("not json")).ExitCode);
        Assert.Equal(ExitCodes.Usage, CliFailure.Classify(new UriFormatException("bad")).ExitCode);
        Assert.Equal(ExitCodes.Usage, CliFailure.Classify(new DirectoryNotFoundException("/nope")).ExitCode);
        Assert.Equal(ExitCodes.Interrupted, CliFailure.Classify(new OperationCanceledException()).ExitCode);
        Assert.Equal(ExitCodes.Crashed, CliFailure.Classify(new NullReferenceException()).ExitCode);
    }

    [Theory]
    [InlineData("dlq", "list", "--url", "http://127.0.0.1:1", "-o", "json")]
    [InlineData("reconcile", "11", "--yes", "--url", "http://127.0.0.1:1", "-o", "json")]
    public async Task A_service_that_cannot_be_reached_is_8_and_json_still_gets_its_document(params string[] args)
    {
        using var stdout = new StringWriter();

        var code = await Couponctl.InvokeAsync(args, Quiet, _ => null, new InvocationConfiguration { Output = stdout, Error = TextWriter.Null });

        Assert.Equal(ExitCodes.Unreachable, code);
        var json = System.Text.Json.JsonDocument.Parse(stdout.ToString()).RootElement;
        Assert.Equal(("unreachable", ExitCodes.Unreachable), (json.GetProperty("outcome").GetString(), json.GetProperty("exitCode").GetInt32()));
    }

    [Theory]
    [InlineData("status", "--watch", "-o", "json")]
    [InlineData("drill", "no-such-drill", "-o", "json")]
    [InlineData("status", "--url", "localhost:18910", "-o", "json")]
    [InlineData("postmortem", "--from", "2026-12-07T03:00Z", "--to", "2026-12-07T02:00Z", "-o", "json")]
    public async Task In_json_mode_bad_arguments_are_one_document_on_stdout_and_nothing_else(params string[] args)
    {
        using var stdout = new StringWriter();

        var code = await Couponctl.InvokeAsync(args, Quiet, _ => null, new InvocationConfiguration { Output = stdout, Error = TextWriter.Null });

        Assert.Equal(ExitCodes.Usage, code);
        var json = System.Text.Json.JsonDocument.Parse(stdout.ToString()).RootElement; // throws unless stdout is one document
        Assert.Equal(("usage", ExitCodes.Usage), (json.GetProperty("outcome").GetString(), json.GetProperty("exitCode").GetInt32()));
    }

    [Fact]
    public async Task An_exception_nobody_handled_is_70_with_one_line_not_a_stack_trace()
    {
        var root = new RootCommand();
        var broken = new Command("broken");
        broken.SetAction(new Func<ParseResult, int>(_ => throw new InvalidOperationException("planted bug")));
        root.Subcommands.Add(broken);
        using var errors = new StringWriter();

        var code = await Couponctl.InvokeAsync(root, ["broken"], new InvocationConfiguration { Output = TextWriter.Null, Error = errors });

        Assert.Equal(ExitCodes.Crashed, code);
        var line = Assert.Single(errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("couponctl crashed: InvalidOperationException: planted bug (a bug in couponctl; please report it with this line)", line.Trim());
    }
}
