using Coupons.Cli.Collect;

namespace Coupons.UnitTests.Cli;

/// <summary>
/// The runtime snapshot goes into a bundle that is attached to tickets: the app's settings may sit on its command line
/// and in its environment.
/// </summary>
public sealed class ProcessSourcesTests
{
    private static readonly string[] Secrets =
        ["s3cret-admin", "hunter2", "c2lnbmluZw==", "seed-secret", "dotnet-secret", "aspnet-secret", "plain-secret"];

    [Theory]
    [InlineData("dotnet\0/app/Coupons.Api.dll\0--Admin:ApiKey=s3cret-admin\0--Database:ConnectionString\0Server=db;Password=hunter2\0",
        "dotnet /app/Coupons.Api.dll --Admin:ApiKey=*** --Database:ConnectionString ***")]
    [InlineData(
        "dotnet\0exec\0--runtimeconfig\0/app/Coupons.Api.runtimeconfig.json\0/app/Coupons.Api.dll\0"
        + "/Auth:SigningKeys:0:Key=c2lnbmluZw==\0-x\0seed-secret\0",
        "dotnet exec --runtimeconfig /app/Coupons.Api.runtimeconfig.json /app/Coupons.Api.dll /Auth:SigningKeys:0:Key=*** -x ***")]
    [InlineData("/app/Coupons.Api\0Admin:ApiKey=s3cret-admin\0--urls\0http://0.0.0.0:8081\0plain-secret\0",
        "/app/Coupons.Api Admin:ApiKey=*** --urls *** ***")]
    [InlineData("/usr/bin/dotnet\0/app/Coupons.Api.dll\0", "/usr/bin/dotnet /app/Coupons.Api.dll")]
    public void The_command_line_keeps_the_program_and_the_setting_names_never_a_value(string cmdline, string archived)
    {
        var text = ProcessSources.CommandLine(cmdline);

        Assert.Equal(archived, text);
        Assert.All(Secrets, secret => Assert.DoesNotContain(secret, text, StringComparison.Ordinal));
    }

    [Fact]
    public void Environment_variables_are_listed_by_name_never_by_value()
    {
        var text = ProcessSources.EnvironmentListing(new Dictionary<string, string>
        {
            ["DOTNET_Database__ConnectionString"] = "Server=db;Password=hunter2",
            ["DOTNET_Admin__ApiKey"] = "dotnet-secret",
            ["DOTNET_GCHeapHardLimit"] = "0x10000000",
            ["ASPNETCORE_Auth__SigningKeys__0__Key"] = "aspnet-secret",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Admin__ApiKey"] = "s3cret-admin",
            ["PATH"] = "/usr/bin",
        });

        Assert.All(["hunter2", "dotnet-secret", "0x10000000", "aspnet-secret", "Production", "s3cret-admin", "/usr/bin"],
            value => Assert.DoesNotContain(value, text, StringComparison.Ordinal));
        Assert.All(["DOTNET_Database__ConnectionString", "DOTNET_Admin__ApiKey", "DOTNET_GCHeapHardLimit", "ASPNETCORE_Auth__SigningKeys__0__Key",
            "ASPNETCORE_ENVIRONMENT", "Admin__ApiKey", "PATH"], name => Assert.Contains(name, text, StringComparison.Ordinal));
    }
}
