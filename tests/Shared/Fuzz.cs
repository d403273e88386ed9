using CsCheck;

namespace Coupons.Testing;

/// <summary>
/// How generator-based tests pick their cases. Each property runs twice: with its fixed seed (the same cases in every
/// run) and with a fresh seed, so every run also explores new ground. Both seeds and their case counts are appended to
/// <c>.test-infra/fuzz-seeds.log</c>, which scripts/test.sh prints. <c>COUPONS_FUZZ_SEED=seed</c> replays exactly one
/// seed (a failure message names its shrunk case's seed too); <c>COUPONS_FUZZ_SCALE=n</c> runs n times the CI cases.
/// </summary>
public static class Fuzz
{
    public const string SeedVariable = "COUPONS_FUZZ_SEED";
    public const string ScaleVariable = "COUPONS_FUZZ_SCALE";

    /// <summary>Cases per seed: <paramref name="inCi"/> times <see cref="ScaleVariable"/> (1 unless set).</summary>
    public static int Cases(int inCi) =>
        inCi * (int.TryParse(Environment.GetEnvironmentVariable(ScaleVariable), out var scale) && scale > 0 ? scale : 1);

    /// <summary>The seeds to run: the replayed one alone, or the fixed one and a fresh one.</summary>
    public static IReadOnlyList<string> Seeds(string fixedSeed) =>
        Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } replay
            ? [replay]
            : [fixedSeed, new PCG((uint)Random.Shared.Next(), (ulong)Random.Shared.NextInt64()).ToString()];

    /// <summary>
    /// Checks <paramref name="property"/> on <paramref name="cases"/> generated values per seed, on one thread (so a
    /// seed replays exactly).
    /// </summary>
    public static void Check<T>(string name, Gen<T> gen, Action<T> property, string fixedSeed, int cases, Func<T, string>? print = null)
    {
        foreach (var seed in Seeds(fixedSeed))
        {
            Record(name, seed, Cases(cases));
            gen.Sample(property, seed: seed, iter: Cases(cases), threads: 1, print: print);
        }
    }

    /// <summary>Async form of <see cref="Check{T}"/>, for properties that talk to the real stack.</summary>
    public static async Task CheckAsync<T>(string name, Gen<T> gen, Func<T, Task> property, string fixedSeed, int cases, Func<T, string>? print = null)
    {
        foreach (var seed in Seeds(fixedSeed))
        {
            Record(name, seed, Cases(cases));
            await gen.SampleAsync(property, seed: seed, iter: Cases(cases), threads: 1, print: print);
        }
    }

    /// <summary>Appends one line to the run's list of seeds (printed at the end by scripts/test.sh).</summary>
    public static void Record(string name, string seed, int cases)
    {
        var line = $"{DateTime.UtcNow:O} {name}: seed {seed}, {cases} cases (replay: {SeedVariable}={seed})";
        Console.WriteLine(line);
        if (RepoRoot() is { } root)
        {
            Directory.CreateDirectory(Path.Combine(root, ".test-infra"));
            File.AppendAllText(Path.Combine(root, ".test-infra", "fuzz-seeds.log"), line + Environment.NewLine);
        }
    }

    private static string? RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Coupons.slnx")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
