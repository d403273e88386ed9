using System.Diagnostics.Tracing;

namespace Coupons.Ops;

/// <summary>
/// Every GC pause of this process, as a histogram (<c>coupons_gc_pause_seconds</c>): the runtime's own metrics give the
/// total pause time only, and a click waits for the longest pause, not the average (issue 24's soak reads its p99 per
/// minute). A pause is from the runtime suspending the managed threads to resuming them.
/// </summary>
/// <remarks>
/// The runtime's GC events at Informational level: a handful per collection (the allocation samples are Verbose and
/// stay off), read in this process, so nothing outside it has to attach.
/// </remarks>
public sealed class GcPauses(CouponMetrics metrics) : EventListener, IHostedService
{
    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const int SuspendEEBegin = 9;
    private const int RestartEEEnd = 3;
    private long _suspendedAt;
    private bool _listening;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _listening, true);
        foreach (var source in EventSource.GetSources().Where(s => s.Name == RuntimeProvider))
        {
            EnableEvents(source, EventLevel.Informational, GcKeyword);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _listening, false);
        foreach (var source in EventSource.GetSources().Where(s => s.Name == RuntimeProvider))
        {
            DisableEvents(source);
        }

        return Task.CompletedTask;
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        // The runtime's source may be created after this listener (it is constructed before StartAsync runs).
        if (eventSource.Name == RuntimeProvider && Volatile.Read(ref _listening))
        {
            EnableEvents(eventSource, EventLevel.Informational, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        switch (eventData.EventId)
        {
            case SuspendEEBegin:
                _suspendedAt = eventData.TimeStamp.Ticks;
                break;
            case RestartEEEnd when _suspendedAt != 0:
                metrics.GcPause.Record(TimeSpan.FromTicks(eventData.TimeStamp.Ticks - _suspendedAt).TotalSeconds);
                _suspendedAt = 0;
                break;
        }
    }
}
