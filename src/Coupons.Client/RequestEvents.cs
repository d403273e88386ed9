using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Coupons.Contracts;

namespace Coupons.Client;

/// <summary>
/// An open status stream (<c>GET .../issue-requests/{requestId}/events</c>): the request's status as the server pushes
/// it, PENDING first, then its outcome, after which the stream ends. It may also end on PENDING (the stream's lifetime
/// passed, or the instance stopped): read the status, or open another.
/// </summary>
public sealed class RequestEvents(HttpResponseMessage response) : IAsyncDisposable
{
    public async IAsyncEnumerable<IssueRequestView> ReadAllAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        await foreach (var item in SseParser.Create(body).EnumerateAsync(ct))
        {
            if (item.EventType == "status")
            {
                yield return JsonSerializer.Deserialize<IssueRequestView>(item.Data, CouponsClient.Json)!;
            }
        }
    }

    /// <summary>
    /// The last status the stream gave before it ended: the outcome, or PENDING if it ended undecided.
    /// </summary>
    public async Task<IssueRequestView?> LastAsync(CancellationToken ct = default)
    {
        IssueRequestView? last = null;
        await foreach (var view in ReadAllAsync(ct))
        {
            last = view;
        }

        return last;
    }

    public ValueTask DisposeAsync()
    {
        response.Dispose();
        return ValueTask.CompletedTask;
    }
}
