using System.CommandLine;
using System.Text.Json;
using Coupons.Client;
using Spectre.Console;

namespace Coupons.Cli.Actions;

/// <summary>
/// The runbooks' hands-on steps, each behind a confirmation prompt that says what it will do: <c>reconcile</c>,
/// <c>dlq list|replay</c>, <c>gate rebuild</c>, <c>consumer pause|resume</c>. They go through the admin API, which
/// records each call in its audit (who, what, which coupon, the answer). A coupon's prompt names it and says where it
/// stands (its sale window, units left and issued, requests in flight); <c>--yes</c> answers the prompt for scripts;
/// without it and without a terminal to ask on, nothing is done. Every action ends with one line saying what was done.
/// Exit codes (<see cref="ExitCodes"/>): 0 done, 6 declined, 3 the API refused (its problem is printed), 4 asked for
/// but not finished (a gate rebuild still waiting for the pipeline, a consumer that has not stopped yet): check again,
/// it is not done; 5 sent but unanswered (the connection broke or timed out after the request left): it may or may not
/// have been done. An action acts on one replica: more than one --url is refused (2). With <c>--output json</c> an
/// action prints one <see cref="ActionJson"/> and nothing else, and asks nobody: without --yes it is declined.
/// </summary>
public static class OperatorActions
{
    private static readonly Option<bool> Yes = new("--yes", "-y") { Description = "Do it without asking (scripts)." };
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>What an action did: its exit code, the one line that says so, and the API's answer (if any).</summary>
    internal sealed record Outcome(int Code, string Message, object? Answer = null, int? Status = null);

    /// <summary>Asks the operator; null when there is nobody to ask (no terminal).</summary>
    public delegate bool? Confirm(string question);

    public static IEnumerable<Command> Create(IAnsiConsole console, Confirm confirm)
    {
        var coupon = new Argument<long>("coupon") { Description = "The coupon id." };

        var reconcile = Action("reconcile", "Reconcile a coupon: return leaked or refused units to its gate and restore missing holders.", console, confirm,
            async (admin, p, ct) => $"Reconcile {await DescribeAsync(admin, p.GetValue(coupon), ct)}? Units the gate holds without a request on its way go back on sale.",
            async (admin, p, ct) => Done(await admin.ReconcileAsync(p.GetValue(coupon), ct), r => r.Ran
                ? (ExitCodes.Ok, $"done: coupon {r.CouponId} reconciled: {r.ReturnedLeaked} leaked and {r.ReturnedRejected} refused units returned to the gate, {r.HoldersRestored} holders restored")
                : (ExitCodes.NotFinished, $"not done: coupon {r.CouponId} was not reconciled: {r.SkippedBecause}")));
        reconcile.Arguments.Add(coupon);

        var rebuild = Action("rebuild", "Rebuild a coupon's Redis gate from the database (waits for its pipeline to drain).", console, confirm,
            async (admin, p, ct) => $"Rebuild the gate of {await DescribeAsync(admin, p.GetValue(coupon), ct)} from the database? Its clicks answer 503 until the rebuild is done.",
            async (admin, p, ct) => Done(await admin.RebuildGateAsync(p.GetValue(coupon), ct), g => g.Opened
                ? (ExitCodes.Ok, $"done: the gate of coupon {g.CouponId} rebuilt from the database: {g.RemainingStock} units left")
                : (ExitCodes.NotFinished, $"not done yet: the rebuild of coupon {g.CouponId}'s gate waits for {g.AcceptedRequests} accepted requests to reach the database; the gate keeper finishes it (check with couponctl status)")));
        rebuild.Arguments.Add(coupon);
        var gate = new Command("gate", "The Redis stock gate of one coupon.") { rebuild };

        var max = new Option<int>("--max") { Description = "How many, newest first.", DefaultValueFactory = _ => 50 };
        var list = new Command("list", "List dead letters: where each was, why it could not be applied, its payload.") { max };
        Targets.AddTo(list);
        list.SetAction(async (p, ct) =>
        {
            using var http = AdminHttp(Targets.From(p));
            var letters = await new CouponsAdminClient(http).DeadLettersAsync(p.GetValue(max), ct);
            var output = CliOutput.From(p, console);
            if (output.IsJson)
            {
                output.WriteJson(DeadLettersJson.Of(letters));
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("partition", "offset", "at", "error", "payload");
            letters.ForEach(l => table.AddRow(l.Partition.ToString(), l.Offset.ToString(), Markup.Escape(l.At ?? ""), Markup.Escape(l.Error ?? ""), Markup.Escape(l.Payload.Length > 80 ? l.Payload[..80] + "..." : l.Payload)));
            console.Write(table);
            console.MarkupLineInterpolated($"{letters.Count} dead letters");
            return ExitCodes.Ok;
        });
        var partition = new Argument<int>("partition") { Description = "The dead letter's partition (dlq list)." };
        var offset = new Argument<long>("offset") { Description = "The dead letter's offset (dlq list)." };
        var replay = Action("replay", "Send one dead letter back to the request topic, after its cause is fixed.", console, confirm,
            (_, p, _) => Task.FromResult($"Replay the dead letter at partition {p.GetValue(partition)}, offset {p.GetValue(offset)} into the request topic?"),
            async (admin, p, ct) =>
            {
                await admin.ReplayDeadLetterAsync(p.GetValue(partition), p.GetValue(offset), ct);
                return new Outcome(ExitCodes.Ok, $"done: the dead letter at partition {p.GetValue(partition)}, offset {p.GetValue(offset)} replayed into the request topic");
            });
        replay.Arguments.Add(partition);
        replay.Arguments.Add(offset);
        var dlq = new Command("dlq", "The dead-letter topic: messages the consumer could not apply.") { list, replay };

        var pause = Action("pause", "Pause this instance's consumer (finishes the batch in hand; accepted requests wait in Kafka).", console, confirm,
            (_, _, _) => Task.FromResult("Pause the consumer of the instance behind --admin-url? Accepted requests wait in Kafka until it resumes."),
            async (admin, _, ct) => Answered(await admin.SetConsumerPausedAsync(true, ct), c => c.Paused
                ? (ExitCodes.Ok, "done: the consumer is paused (holding); accepted requests wait in Kafka until it resumes")
                : (ExitCodes.NotFinished, "not done yet: the pause is requested but the consumer has not stopped (still finishing its batch); check again")));
        var resume = Action("resume", "Resume this instance's consumer.", console, confirm,
            (_, _, _) => Task.FromResult("Resume the consumer of the instance behind --admin-url?"),
            async (admin, _, ct) => Answered(await admin.SetConsumerPausedAsync(false, ct), c => !c.Paused && !c.PauseRequested
                ? (ExitCodes.Ok, "done: the consumer is running")
                : (ExitCodes.NotFinished, "not done yet: the consumer is still holding; check again")));
        var consumer = new Command("consumer", "The issue-request consumer of one instance.") { pause, resume };

        return [reconcile, gate, dlq, consumer];
    }

    internal static Command Action(string name, string description, IAnsiConsole console, Confirm confirm,
        Func<CouponsAdminClient, ParseResult, CancellationToken, Task<string>> question,
        Func<CouponsAdminClient, ParseResult, CancellationToken, Task<Outcome>> act)
    {
        var command = new Command(name, description);
        Targets.AddTo(command);
        command.Options.Add(Yes);
        command.SetAction(async (parse, ct) =>
        {
            var output = CliOutput.From(parse, console);
            var outcome = await RunAsync(name, parse, output, confirm, question, act, ct);
            Report(output, CliOutput.CommandName(parse), outcome);
            return outcome.Code;
        });
        return command;
    }

    private static async Task<Outcome> RunAsync(string name, ParseResult parse, CliOutput output, Confirm confirm,
        Func<CouponsAdminClient, ParseResult, CancellationToken, Task<string>> question,
        Func<CouponsAdminClient, ParseResult, CancellationToken, Task<Outcome>> act, CancellationToken ct)
    {
        var targets = Targets.From(parse);
        if (targets.Replicas.Count > 1)
        {
            return new Outcome(ExitCodes.Usage,
                $"not done: {name} acts on one replica; {targets.Replicas.Count} were given (--url / COUPONCTL_URL). Give the one to act on.");
        }

        using var http = AdminHttp(targets);
        var admin = new CouponsAdminClient(http);
        var asked = $"{await question(admin, parse, ct)} ({targets.Admin})";
        if (parse.GetValue(Yes))
        {
            output.Text.MarkupLineInterpolated($"--yes: {asked}");
        }
        else if ((output.IsJson ? null : confirm(asked)) != true)
        {
            return new Outcome(ExitCodes.Declined, $"not done: {asked}");
        }

        try
        {
            return await act(admin, parse, ct);
        }
        catch (ApiProblemException ex)
        {
            return new Outcome(ExitCodes.Refused, $"refused: {ex.Message}", Status: (int)ex.Problem.Status);
        }
        catch (HttpRequestException ex) when (CliFailure.NeverSent(ex))
        {
            return new Outcome(ExitCodes.Unreachable, $"not done: could not connect to {targets.Admin} ({ex.Message})");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !ct.IsCancellationRequested)
        {
            return new Outcome(ExitCodes.Unknown,
                $"unknown: the request was sent but no usable answer came ({ex.Message}); it may have been done: check with couponctl status and the admin audit");
        }
    }

    /// <summary>Text: the answer in full, then one line saying what was done. Json: one <see
    /// cref="ActionJson"/>.</summary>
    private static void Report(CliOutput output, string command, Outcome outcome)
    {
        if (output.IsJson)
        {
            output.WriteJson(new ActionJson(command, ActionJson.CurrentShape, ActionJson.Named(outcome.Code), outcome.Code,
                outcome.Message, outcome.Status, outcome.Answer));
            return;
        }

        if (outcome.Status is { } status)
        {
            output.Text.WriteLine(status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (outcome.Answer is { } answer)
        {
            output.Text.WriteLine(JsonSerializer.Serialize(answer, answer.GetType(), Indented));
        }

        var colour = outcome.Code switch
        {
            ExitCodes.Ok => "green",
            ExitCodes.NotFinished or ExitCodes.Declined => "yellow",
            _ => "red",
        };
        output.Text.MarkupLine($"[{colour}]{Markup.Escape(outcome.Message)}[/]");
    }

    /// <summary>An answer the client returns only on success (it throws <see cref="ApiProblemException"/> otherwise):
    /// 200.</summary>
    internal static Outcome Answered<T>(T answer, Func<T, (int Code, string Done)> outcome)
    {
        var (code, done) = outcome(answer);
        return new Outcome(code, done, answer, (int)System.Net.HttpStatusCode.OK);
    }

    private static Outcome Done<T>(ApiAnswer<T> answer, Func<T, (int Code, string Done)> outcome)
    {
        if (answer.Problem is { } problem)
        {
            return new Outcome(ExitCodes.Refused, $"refused: {problem}", Status: (int)answer.Status);
        }

        var (code, done) = outcome(answer.Value!);
        return new Outcome(code, done, answer.Value, (int)answer.Status);
    }

    /// <summary>
    /// A coupon as an operator should see it before acting on it: its name, whether it is on sale, what its gate and
    /// the database say. Best effort: when the report cannot be read (Redis down answers 503), the prompt says so.
    /// </summary>
    internal static async Task<string> DescribeAsync(CouponsAdminClient admin, long couponId, CancellationToken ct)
    {
        try
        {
            using var quick = CancellationTokenSource.CreateLinkedTokenSource(ct);
            quick.CancelAfter(TimeSpan.FromSeconds(10)); // the prompt must not wait minutes for a state it only shows
            var r = await admin.ConsistencyAsync(couponId, quick.Token);
            var now = DateTime.UtcNow;
            var name = r.Name.Length > 0 ? $"\"{r.Name}\"" : "(name unknown: an older service)";
            var sale = r.EndsAt == default ? "sale window unknown"
                : now < r.StartsAt ? $"on sale from {r.StartsAt:yyyy-MM-dd HH:mm} UTC" : now < r.EndsAt ? $"on sale until {r.EndsAt:yyyy-MM-dd HH:mm} UTC" : $"sale ended {r.EndsAt:yyyy-MM-dd HH:mm} UTC";
            // With no gate, what is in flight cannot be counted (the gate holds who was accepted): say so, not 0.
            var gate = r.Redis.GateOpen ? $"{r.Redis.RemainingStock} of {r.TotalQuantity} left in its gate, {r.Database.IssuedQuantity} issued, {r.InFlight} in flight"
                : $"no gate, {r.Database.IssuedQuantity} of {r.TotalQuantity} issued, in flight unknown";
            var problems = r.Consistent ? "" : $"; not consistent: {string.Join("; ", r.Problems)}";
            return $"coupon {couponId} {name} ({sale}; {gate}, {r.Parked} parked{problems})";
        }
        catch (Exception ex) when (ex is ApiProblemException or HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !ct.IsCancellationRequested)
        {
            return $"coupon {couponId} (its state could not be read: {ex.Message})";
        }
    }

    internal static HttpClient AdminHttp(Targets targets)
    {
        var http = new HttpClient { BaseAddress = targets.Admin, Timeout = TimeSpan.FromMinutes(3) };
        http.DefaultRequestHeaders.Add(CouponsAdminClient.KeyHeader, targets.AdminKey);
        return http;
    }
}
