namespace Coupons.AppHost;

/// <summary>
/// HOME for everything the AppHost starts (the dashboard's keys, DCP's cache, the servers' dot-files) is a folder under
/// the topology's state folder, so a run leaves the developer's home alone. The .NET SDK's own folders stay where they
/// are: the replicas run from their build output and need the same NuGet package folder they were built with.
/// </summary>
public static class TopologyHome
{
    public static void UseStateFolder(Topology topology)
    {
        var home = Environment.GetEnvironmentVariable("HOME");
        var stateHome = topology.State("home");
        if (home == stateHome)
        {
            return;
        }

        if (!string.IsNullOrEmpty(home))
        {
            KeepIfUnset("NUGET_PACKAGES", Path.Combine(home, ".nuget", "packages"));
            KeepIfUnset("DOTNET_CLI_HOME", home);
        }

        Environment.SetEnvironmentVariable("HOME", stateHome);
    }

    private static void KeepIfUnset(string variable, string value)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
        {
            Environment.SetEnvironmentVariable(variable, value);
        }
    }
}
