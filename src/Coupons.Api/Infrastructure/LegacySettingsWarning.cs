namespace Coupons.Infrastructure;

/// <summary>At every start, one warning per store address still configured under its old key (<see cref="StoreAddress"/>).</summary>
public sealed partial class LegacySettingsWarning(IConfiguration configuration, ILogger<LegacySettingsWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var warning in StoreAddress.All.Select(address => address.LegacyWarning(configuration)).OfType<string>())
        {
            LegacySetting(logger, warning);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Setting under its old name: {Warning}")]
    private static partial void LegacySetting(ILogger logger, string warning);
}
