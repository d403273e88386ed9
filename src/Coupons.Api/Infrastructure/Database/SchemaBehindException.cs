namespace Coupons.Infrastructure.Database;

/// <summary>The database lacks migrations this build needs, and this replica may not apply them.</summary>
public sealed class SchemaBehindException(long version, long required) : Exception(
    $"The database schema is at version {version}{(version == 0 ? " (empty, or created before versioned migrations)" : "")} and this build needs " +
    $"{required}: run the migration step first (the app with --migrate, as a database user allowed to ALTER), or set " +
    "Database__MigrateAtStart=true where the app's own user may.")
{
    /// <summary>EX_TEMPFAIL (sysexits.h): the same start succeeds once the migration step has run.</summary>
    public const int ExitCode = 75;

    public long Version { get; } = version;

    public long Required { get; } = required;
}
