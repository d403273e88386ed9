namespace Coupons.AlertReceiver;

internal static partial class ReceiverLog
{
    // Warning: a notification reaching a pager is worth seeing in the dashboard's logs at a glance.
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "{Route} got {Status}: {Alerts}")]
    public static partial void Received(ILogger logger, string route, string status, string alerts);
}
