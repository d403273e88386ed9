namespace Coupons.Cli.Drills;

/// <summary>
/// <c>couponctl drill --output json</c> (docs/couponctl-json.md): the verdict (PASS, FAIL or REFUSED), its exit code,
/// why it was refused, where the report files are, and the report itself (the same fields as its .json file).
/// </summary>
public sealed record DrillJson(
    string Command, int ShapeVersion, string Scenario, string Verdict, int ExitCode, string? RefusedBecause, string? ReportMarkdown,
    string? ReportJson, DrillReport? Report)
{
    public const int CurrentShape = 1;
}
