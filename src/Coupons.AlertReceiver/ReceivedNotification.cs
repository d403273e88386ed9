using System.Text.Json;

namespace Coupons.AlertReceiver;

/// <summary>
/// One webhook call from Alertmanager, as received: the route (which receiver), when, and its alerts.
/// </summary>
public sealed record ReceivedNotification(string Route, DateTimeOffset ReceivedAt, string Status, IReadOnlyList<ReceivedAlert> Alerts)
{
    public static ReceivedNotification From(string route, DateTimeOffset receivedAt, JsonElement body)
    {
        var alerts = body.TryGetProperty("alerts", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(ReceivedAlert.From).ToList()
            : [];
        return new ReceivedNotification(route, receivedAt, Text(body, "status"), alerts);
    }

    internal static string Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : "";
}

public sealed record ReceivedAlert(string Name, string Severity, string Status, DateTimeOffset? StartsAt)
{
    public static ReceivedAlert From(JsonElement alert)
    {
        var labels = alert.TryGetProperty("labels", out var l) ? l : default;
        var startsAt = DateTimeOffset.TryParse(ReceivedNotification.Text(alert, "startsAt"), out var s) ? s : (DateTimeOffset?)null;
        return new ReceivedAlert(ReceivedNotification.Text(labels, "alertname"), ReceivedNotification.Text(labels, "severity"),
            ReceivedNotification.Text(alert, "status"), startsAt);
    }
}
