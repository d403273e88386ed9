using System.Data.Common;
using Coupons.Infrastructure.Database;

namespace Coupons.Outbox;

/// <summary>
/// Adds events to the outbox inside the caller's transaction: they exist if and only if the change they tell of was
/// committed, and <see cref="OutboxRelayLoop"/> publishes them afterwards, so a crash between the commit and the
/// publish loses none.
/// </summary>
public static class OutboxWriter
{
    public static Task AppendAsync(DbConnection connection, DbTransaction tx, IEnumerable<ShopEvent> events, DateTime now, CancellationToken ct) =>
        MultiRowInsert.RunAsync(connection, tx, "outbox_events", ["event_id", "event_type", "event_key", "payload", "created_at"],
            events.Select(e => new object?[] { e.EventId.ToString(), e.Type, e.UserPublicId, e.ToJson(), now }), ct);
}
