using System.Globalization;
using Coupons.Infrastructure.Http;

namespace Coupons.Consumer;

public static class ConsumerAdminApi
{
    /// <summary>
    /// Adds this instance's consumer pause and resume, and the dead letters (list, replay), to
    /// <paramref name="admin"/>, the admin group (its key check, audit and limits apply).
    /// </summary>
    public static RouteGroupBuilder MapConsumerAdminApi(this RouteGroupBuilder admin)
    {
        admin.MapPost("/consumer/pause", (ConsumerHealth consumer, TimeProvider clock, CancellationToken ct) => SetConsumerPausedAsync(consumer, true, clock, ct));
        admin.MapPost("/consumer/resume", (ConsumerHealth consumer, TimeProvider clock, CancellationToken ct) => SetConsumerPausedAsync(consumer, false, clock, ct));
        admin.MapGet("/dead-letters", ListDeadLetters).Answers(StatusCodes.Status400BadRequest, ProblemCodes.InvalidRequest); // ?max= not a number
        // No route constraints: a position that is not one must still meet the key check first, then a 400 with its
        // code.
        admin.MapPost("/dead-letters/{partition}/{offset}/replay", ReplayDeadLetter).Answers(StatusCodes.Status404NotFound, ProblemCodes.NotFound)
            .Answers(StatusCodes.Status400BadRequest, ProblemCodes.InvalidRequest);
        return admin;
    }

    /// <summary>
    /// This instance's consumer only (drills, DB maintenance, measuring the drain rate of a backlog). Answers once the
    /// consumer loop has acted on it (it finishes the batch in hand first), so "paused" means nothing more is written.
    /// </summary>
    public static async Task<Ok<ConsumerState>> SetConsumerPausedAsync(ConsumerHealth consumer, bool paused, TimeProvider clock, CancellationToken ct)
    {
        consumer.PauseRequested = paused;
        var deadline = clock.GetUtcNow().AddSeconds(10);
        while (consumer.Holding != paused && clock.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), clock, ct);
        }

        return TypedResults.Ok(new ConsumerState(consumer.PauseRequested, consumer.Holding));
    }

    public static async Task<Ok<IReadOnlyList<DeadLetter>>> ListDeadLetters(DeadLetters deadLetters, int? max) =>
        TypedResults.Ok(await deadLetters.ListAsync(Math.Clamp(max ?? 100, 1, 1000)));

    public static async Task<Results<Accepted, ProblemHttpResult>> ReplayDeadLetter(string partition, string offset, DeadLetters deadLetters, HttpContext context)
    {
        if (!int.TryParse(partition, NumberStyles.None, CultureInfo.InvariantCulture, out var p)
            || !long.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out var o))
        {
            return Problems.BadRequest(ProblemCodes.InvalidRequest, "partition and offset are non-negative integers (a partition fits 32 bits).");
        }

        AuditNotes.NoteDetail(context, $"partition={p} offset={o}");

        return await deadLetters.ReplayAsync(p, o)
            ? TypedResults.Accepted((string?)null)
            : Problems.NotFound(ProblemCodes.NotFound, $"No dead letter at partition {p}, offset {o}.");
    }
}
