namespace Coupons.UnitTests;

/// <summary>
/// One dialect across the projects (issue 22): comments wrap at 120 characters in the service, couponctl, the AppHost
/// and the tests alike. Code lines are not held here yet: 1,851 of them are longer (docs/design.md §10).
/// </summary>
public sealed class CodeStyleTests
{
    private const int Width = 120;

    [Fact]
    public void Comments_wrap_at_120_characters()
    {
        var root = RepositoryFiles.Path();
        var files = new[] { "src", "tests" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();

        var tooLong = files
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (File: Path.GetRelativePath(root, file), Line: index + 1, Text: line)))
            .Where(l => l.Text.Length > Width && l.Text.TrimStart().StartsWith("//", StringComparison.Ordinal))
            .Select(l => $"{l.File}:{l.Line} ({l.Text.Length})")
            .ToList();

        Assert.True(files.Count > 100, $"only {files.Count} source files found under {root}");
        Assert.True(tooLong.Count == 0, $"{tooLong.Count} comment lines over {Width} characters:\n{string.Join('\n', tooLong.Take(20))}");
    }
}
