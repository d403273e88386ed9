using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace Coupons.Cli;

public enum OutputFormat
{
    Text,
    Json,
}

/// <summary>
/// Where a command writes. <c>--output text</c> (the default) is for people: the console. <c>--output json</c> is for
/// scripts: one JSON document on standard output and nothing else there (its shapes: docs/couponctl-json.md), with
/// progress and prompts on standard error.
/// </summary>
public sealed class CliOutput
{
    public static readonly Option<OutputFormat> Option = new("--output", "-o")
    {
        Description = "text (for people, the default) or json (for scripts: one JSON document on stdout, nothing else; progress on stderr).",
        DefaultValueFactory = _ => OutputFormat.Text,
        Recursive = true,
    };

    /// <summary>camelCase, enums as names, nulls written: every field of a documented shape is always there.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly TextWriter _stdout;

    private CliOutput(bool json, IAnsiConsole text, TextWriter stdout)
    {
        IsJson = json;
        Text = text;
        _stdout = stdout;
    }

    public bool IsJson { get; }

    /// <summary>For people: the console with text, standard error with json (so stdout stays one document).</summary>
    public IAnsiConsole Text { get; }

    public static CliOutput From(ParseResult parse, IAnsiConsole console) => parse.GetValue(Option) == OutputFormat.Json
        ? new CliOutput(true, AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }), parse.InvocationConfiguration.Output)
        : new CliOutput(false, console, parse.InvocationConfiguration.Output);

    /// <summary>Text for people on <paramref name="console"/>.</summary>
    public static CliOutput ForText(IAnsiConsole console) => new(false, console, Console.Out);

    /// <summary>JSON on <paramref name="stdout"/>, progress on <paramref name="progress"/>.</summary>
    public static CliOutput ForJson(TextWriter stdout, IAnsiConsole progress) => new(true, progress, stdout);

    /// <summary>The command's one document (json only).</summary>
    public void WriteJson<T>(T document) => Write(_stdout, document);

    public static void Write<T>(TextWriter stdout, T document) => stdout.WriteLine(JsonSerializer.Serialize(document, Json));

    /// <summary>Whether json was asked for; false when the option itself is what could not be read.</summary>
    public static bool IsJsonRequested(ParseResult parse)
    {
        try
        {
            return parse.GetValue(Option) == OutputFormat.Json;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>"gate rebuild", "consumer pause": the words typed after couponctl.</summary>
    public static string CommandName(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null && result.Command is not RootCommand; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, result.Command.Name);
        }

        return string.Join(' ', names);
    }
}
