using System.CommandLine;
using Coupons.Cli;
using Spectre.Console;

namespace Coupons.UnitTests.Cli;

/// <summary>Issue 22: couponctl says which build it is, as MinVer stamped it from git.</summary>
public sealed class CliVersionTests
{
    [Fact]
    public async Task Version_prints_the_semver_and_commit_it_was_built_from()
    {
        using var output = new StringWriter();
        var code = await Couponctl.Create(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) }), _ => null)
            .Parse(["--version"]).InvokeAsync(new InvocationConfiguration { Output = output });

        Assert.Equal(0, code);
        Assert.Equal(CliVersion.Current, output.ToString().Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.\-]+)?\+[0-9a-f]{40}$", CliVersion.Current);
    }
}
