using System.Data.Common;
using Coupons.Infrastructure;

namespace Coupons.Pauses;

/// <summary>
/// Reads the pauses every <see cref="PausesOptions.Refresh"/>, so a sale paused or resumed through another instance is
/// honoured here within a second. A database that cannot be read leaves the last view standing (see
/// <see cref="SaleSwitchboard"/>).
/// </summary>
public sealed class SaleSwitchboardLoop(SaleSwitchboard switchboard, IOptions<PausesOptions> options, TimeProvider clock, ILogger<SaleSwitchboardLoop> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Refresh, clock);
        do
        {
            await BackgroundRound.RunAsync(switchboard.RefreshAsync, ex => ex is DbException or TimeoutException, logger, nameof(SaleSwitchboardLoop),
                stoppingToken);
        }
        while (await timer.TickAsync(stoppingToken));
    }
}
