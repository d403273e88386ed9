using System.Net.Sockets;
using Coupons.Client;

namespace Coupons.Cli;

/// <summary>
/// What an exception no command handled means for the operator, in the terms of <see cref="ExitCodes"/>: a service that
/// refused (3), a target that could not be reached or read (8), arguments or files that cannot be used (2), Ctrl+C
/// (130); only what is left is couponctl's own bug (70).
/// </summary>
public static class CliFailure
{
    public sealed record Verdict(int ExitCode, string Outcome, string Message);

    public static Verdict Classify(Exception ex) => ex switch
    {
        ApiProblemException refused => new(ExitCodes.Refused, "refused", $"refused: {refused.Message}"),
        HttpRequestException or SocketException => new(ExitCodes.Unreachable, "unreachable", $"could not reach the target: {ex.Message}"),
        TimeoutException or TaskCanceledException { InnerException: TimeoutException } =>
            new(ExitCodes.Unreachable, "unreachable", $"the target did not answer in time: {ex.Message}"),
        System.Text.Json.JsonException => new(ExitCodes.Unreachable, "unreachable", $"the target's answer could not be read: {ex.Message}"),
        UriFormatException => new(ExitCodes.Usage, "usage", $"not an address: {ex.Message}"),
        InvalidDataException or IOException or UnauthorizedAccessException => new(ExitCodes.Usage, "usage", ex.Message),
        OperationCanceledException => new(ExitCodes.Interrupted, "interrupted", "interrupted"),
        _ => new(ExitCodes.Crashed, "crashed", $"couponctl crashed: {ex.GetType().Name}: {ex.Message} (a bug in couponctl; please report it with this line)"),
    };

    /// <summary>
    /// An action's request that never left: the connection was refused, the host not found, TLS not agreed.
    /// </summary>
    public static bool NeverSent(Exception ex) => ex is HttpRequestException
    {
        InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.TryAgain or SocketError.NetworkUnreachable }
            or System.Security.Authentication.AuthenticationException,
    };
}

/// <summary>
/// With <c>--output json</c>, a command's outcome when it has no document of its own (docs/couponctl-json.md): bad
/// arguments, a target that could not be reached, a crash, and what <c>context add|use|remove</c> did. Its
/// <see cref="Outcome"/> names the exit code.
/// </summary>
public sealed record OutcomeJson(string Command, int ShapeVersion, string Outcome, int ExitCode, string Message);
