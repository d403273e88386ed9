namespace Coupons.Cli.Actions;

/// <summary>
/// An operator action with <c>--output json</c> (docs/couponctl-json.md): what was asked, how it ended (the exit code
/// and its name), the one line a person would have read, and the admin API's HTTP status and answer when there was one.
/// </summary>
public sealed record ActionJson(string Command, int ShapeVersion, string Outcome, int ExitCode, string Message, int? HttpStatus, object? Answer)
{
    public const int CurrentShape = 1;

    public static string Named(int exitCode) => exitCode switch
    {
        ExitCodes.Ok => "done",
        ExitCodes.Usage => "usage",
        ExitCodes.Refused => "refused",
        ExitCodes.NotFinished => "not-finished",
        ExitCodes.Unknown => "unknown",
        ExitCodes.Declined => "declined",
        ExitCodes.Unreachable => "unreachable",
        _ => "failed",
    };
}
