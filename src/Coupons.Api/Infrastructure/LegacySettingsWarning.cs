namespace Coupons.Infrastructure;

/// <summary>
/// One warning per store address still configured under its old key (<see cref="StoreAddress"/>), said first: before
/// the app (or the migration step) waits for a database that the other key may be pointing at.
/// </summary>
public static partial class LegacySettingsWarning
{
    /// <summary>The app's warnings, in its own log, right after it is built.</summary>
    public static void WarnAboutLegacySettings(this WebApplication app) =>
        Log(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LegacySettingsWarning)), app.Configuration);

    public static void Log(ILogger logger, IConfiguration configuration)
    {
        foreach (var warning in StoreAddress.All.Select(address => address.LegacyWarning(configuration)).OfType<string>())
        {
            LegacySetting(logger, warning);
        }
    }

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Setting under its old name: {Warning}")]
    private static partial void LegacySetting(ILogger logger, string warning);
}
