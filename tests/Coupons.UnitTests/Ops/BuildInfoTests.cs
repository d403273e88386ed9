using Coupons.Ops;

namespace Coupons.UnitTests.Ops;

public sealed class BuildInfoTests
{
    private const string Sha = "5459ca9798f09bc4e5247e5d1d251f2cd03b0eb2";

    [Theory]
    [InlineData("0.0.0-alpha.0.136+" + Sha, "0.0.0-alpha.0.136", Sha)]
    [InlineData("1.2.3+build.7." + Sha, "1.2.3", Sha)]          // build metadata first, the commit appended last
    [InlineData("1.2.3+build.7", "1.2.3", "unknown")]            // metadata but no commit: never read as one
    [InlineData("0.0.0-unversioned", "0.0.0-unversioned", "unknown")] // a container build: no .git, no commit
    [InlineData("1.0.0+unknown", "1.0.0", "unknown")]
    public void The_version_and_commit_are_read_from_the_informational_version(string informational, string version, string commit) =>
        Assert.Equal((version, commit), BuildInfo.Parse(informational));
}
