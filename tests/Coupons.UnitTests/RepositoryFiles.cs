namespace Coupons.UnitTests;

/// <summary>Files of the repository the tests run from, for checks on what is committed.</summary>
public static class RepositoryFiles
{
    public static string Path(params string[] parts)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(System.IO.Path.Combine(root.FullName, "Coupons.slnx")))
        {
            root = root.Parent ?? throw new InvalidOperationException($"no Coupons.slnx above {AppContext.BaseDirectory}");
        }

        return System.IO.Path.Combine([root.FullName, .. parts]);
    }
}
