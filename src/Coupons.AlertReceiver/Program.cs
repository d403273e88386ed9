// Stands in for the pager, SMS, chat and ticket bridges that deploy/alertmanager/alertmanager.yml routes to (the
// local topology rewrites their host to this). It records every notification with the route it came to
// (/pager/oncall, /chat/alerts, ...) and when it arrived, so a drill can prove where an alert went and how fast.
//   POST /{route}        an Alertmanager webhook notification (JSON)
//   GET  /notifications  everything received so far, oldest first
using System.Collections.Concurrent;
using System.Text.Json;
using Coupons.AlertReceiver;

var builder = WebApplication.CreateSlimBuilder(args);
var app = builder.Build();
var received = new ConcurrentQueue<ReceivedNotification>();

app.MapGet("/notifications", () => received.ToArray());
app.MapPost("/{**route}", async (string route, HttpRequest request, ILogger<ReceivedNotification> logger) =>
{
    using var body = await JsonDocument.ParseAsync(request.Body);
    var notification = ReceivedNotification.From("/" + route, DateTimeOffset.UtcNow, body.RootElement);
    received.Enqueue(notification);
    ReceiverLog.Received(logger, notification.Route, notification.Status,
        string.Join(", ", notification.Alerts.Select(a => $"{a.Name} ({a.Severity}, {a.Status})")));
    return Results.Ok();
});

app.Run();
