namespace Coupons.Cli;

/// <summary>
/// couponctl's exit codes, one table for every command (README "Exit codes", <c>couponctl --help</c>). A script can
/// tell "nothing was done" (2, 3, 6, 7, 8) from "done" (0), "maybe done" (4, 5), a failed drill (1), a severity (10-13)
/// and a bug in couponctl itself (70).
/// </summary>
public static class ExitCodes
{
    /// <summary>Done; a drill PASSED; status found nothing wrong.</summary>
    public const int Ok = 0;

    /// <summary>A drill ran and a promise broke (FAIL): its report says which.</summary>
    public const int DrillFailed = 1;

    /// <summary>
    /// Bad arguments (unknown option, bad value, a combination that makes no sense): nothing was done.
    /// </summary>
    public const int Usage = 2;

    /// <summary>The service refused the action (its problem is printed): nothing was done.</summary>
    public const int Refused = 3;

    /// <summary>Asked for but not finished (a gate rebuild still waiting for its pipeline): check again.</summary>
    public const int NotFinished = 4;

    /// <summary>Sent, but no usable answer came back: it may or may not have been done.</summary>
    public const int Unknown = 5;

    /// <summary>
    /// The operator said no, or nobody could be asked (no terminal) and --yes was not given: nothing was done.
    /// </summary>
    public const int Declined = 6;

    /// <summary>
    /// A drill would not start (the stack is not as it must be, a tool is missing): nothing was done.
    /// </summary>
    public const int DrillRefused = 7;

    /// <summary>
    /// The service (or another target) could not be reached or gave no usable answer: connection refused, timed out, an
    /// answer that was not what it should be. Nothing was done (an action whose request may have left is 5 instead).
    /// </summary>
    public const int Unreachable = 8;

    /// <summary>status: the severity found, 10 + its P level (P0 = 10 ... P3 = 13).</summary>
    public const int StatusP0 = 10;

    /// <summary>
    /// Ctrl+C (SIGINT) stopped it, as shells report a process stopped by SIGINT: it may have been half done.
    /// </summary>
    public const int Interrupted = 130;

    /// <summary>couponctl itself failed (a bug: please report it with the message). EX_SOFTWARE.</summary>
    public const int Crashed = 70;

    /// <summary>The table as help text prints it.</summary>
    public const string Table = """
        Exit codes:
          0   done; drill PASSED; status OK
          1   drill FAILED (a promise broke; see its report)
          2   bad arguments: nothing was done
          3   the service refused the action: nothing was done
          4   asked for but not finished: check again
          5   sent, no usable answer: it may have been done
          6   declined (no, or no terminal and no --yes): nothing was done
          7   drill refused to start: nothing was done
          8   a target could not be reached or read: nothing was done
          10-13  status: P0-P3 found
          70  couponctl crashed (a bug)
          130 interrupted (Ctrl+C)
        """;
}
