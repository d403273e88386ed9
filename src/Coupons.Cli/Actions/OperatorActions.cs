using System.CommandLine;
using System.Text.Json;
using Coupons.Client;
using Spectre.Console;

namespace Coupons.Cli.Actions;

/// <summary>
/// The runbooks' hands-on steps, each behind a confirmation prompt that says what it will do: <c>reconcile</c>,
/// <c>dlq list|replay</c>, <c>gate rebuild</c>, <c>consumer pause|resume</c>. They go through the admin API, which
/// records each call in its audit (who, what, which coupon, the answer). <c>--yes</c> answers the prompt for scripts;
/// without it and without a terminal to ask on, nothing is done.
/// Exit codes: 0 done, 1 declined, 3 the API refused (its problem is printed).
/// </summary>
public static class OperatorActions
{
    public const int Declined = 1;
    public const int Refused = 3;

    private static readonly Option<bool> Yes = new("--yes", "-y") { Description = "Do it without asking (scripts)." };
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Asks the operator; null when there is nobody to ask (no terminal).</summary>
    public delegate bool? Confirm(string question);

    public static IEnumerable<Command> Create(IAnsiConsole console, Confirm confirm)
    {
        var coupon = new Argument<long>("coupon") { Description = "The coupon id." };

        var reconcile = Action("reconcile", "Reconcile a coupon: return leaked or refused units to its gate and restore missing holders.", console, confirm,
            p => $"Reconcile coupon {p.GetValue(coupon)}? Units the gate holds without a request on its way go back on sale.",
            async (admin, p, ct) => Show(console, await admin.ReconcileAsync(p.GetValue(coupon), ct)));
        reconcile.Arguments.Add(coupon);

        var rebuild = Action("rebuild", "Rebuild a coupon's Redis gate from the database (waits for its pipeline to drain).", console, confirm,
            p => $"Rebuild the gate of coupon {p.GetValue(coupon)} from the database? Its clicks answer 503 until the rebuild is done.",
            async (admin, p, ct) => Show(console, await admin.RebuildGateAsync(p.GetValue(coupon), ct)));
        rebuild.Arguments.Add(coupon);
        var gate = new Command("gate", "The Redis stock gate of one coupon.") { rebuild };

        var max = new Option<int>("--max") { Description = "How many, newest first.", DefaultValueFactory = _ => 50 };
        var list = new Command("list", "List dead letters: where each was, why it could not be applied, its payload.") { max };
        Targets.AddTo(list);
        list.SetAction(async (p, ct) =>
        {
            using var http = AdminHttp(Targets.From(p));
            var letters = await new CouponsAdminClient(http).DeadLettersAsync(p.GetValue(max), ct);
            var table = new Table().AddColumns("partition", "offset", "at", "error", "payload");
            letters.ForEach(l => table.AddRow(l.Partition.ToString(), l.Offset.ToString(), Markup.Escape(l.At ?? ""), Markup.Escape(l.Error ?? ""), Markup.Escape(l.Payload.Length > 80 ? l.Payload[..80] + "..." : l.Payload)));
            console.Write(table);
            console.MarkupLineInterpolated($"{letters.Count} dead letters");
            return 0;
        });
        var partition = new Argument<int>("partition") { Description = "The dead letter's partition (dlq list)." };
        var offset = new Argument<long>("offset") { Description = "The dead letter's offset (dlq list)." };
        var replay = Action("replay", "Send one dead letter back to the request topic, after its cause is fixed.", console, confirm,
            p => $"Replay the dead letter at partition {p.GetValue(partition)}, offset {p.GetValue(offset)} into the request topic?",
            async (admin, p, ct) =>
            {
                await admin.ReplayDeadLetterAsync(p.GetValue(partition), p.GetValue(offset), ct);
                console.MarkupLine("replayed");
                return 0;
            });
        replay.Arguments.Add(partition);
        replay.Arguments.Add(offset);
        var dlq = new Command("dlq", "The dead-letter topic: messages the consumer could not apply.") { list, replay };

        var pause = Action("pause", "Pause this instance's consumer (finishes the batch in hand; accepted requests wait in Kafka).", console, confirm,
            _ => "Pause the consumer of the instance behind --admin-url? Accepted requests wait in Kafka until it resumes.",
            async (admin, _, ct) => Show(console, await admin.SetConsumerPausedAsync(true, ct)));
        var resume = Action("resume", "Resume this instance's consumer.", console, confirm,
            _ => "Resume the consumer of the instance behind --admin-url?",
            async (admin, _, ct) => Show(console, await admin.SetConsumerPausedAsync(false, ct)));
        var consumer = new Command("consumer", "The issue-request consumer of one instance.") { pause, resume };

        return [reconcile, gate, dlq, consumer];
    }

    private static Command Action(string name, string description, IAnsiConsole console, Confirm confirm, Func<ParseResult, string> question,
        Func<CouponsAdminClient, ParseResult, CancellationToken, Task<int>> act)
    {
        var command = new Command(name, description);
        Targets.AddTo(command);
        command.Options.Add(Yes);
        command.SetAction(async (parse, ct) =>
        {
            var targets = Targets.From(parse);
            var asked = $"{question(parse)} ({targets.Admin})";
            var go = parse.GetValue(Yes) || confirm(asked) == true;
            if (!go)
            {
                console.MarkupLineInterpolated($"[yellow]not done[/]: {asked}");
                return Declined;
            }

            using var http = AdminHttp(targets);
            try
            {
                return await act(new CouponsAdminClient(http), parse, ct);
            }
            catch (ApiProblemException ex)
            {
                console.MarkupLineInterpolated($"[red]refused[/]: {ex.Message}");
                return Refused;
            }
        });
        return command;
    }

    private static int Show<T>(IAnsiConsole console, T value)
    {
        console.WriteLine(JsonSerializer.Serialize(value, Indented));
        return 0;
    }

    private static int Show<T>(IAnsiConsole console, ApiAnswer<T> answer)
    {
        if (answer.Problem is { } problem)
        {
            console.MarkupLineInterpolated($"[red]refused[/]: {problem}");
            return Refused;
        }

        console.MarkupLineInterpolated($"{(int)answer.Status}");
        return Show(console, answer.Value);
    }

    private static HttpClient AdminHttp(Targets targets)
    {
        var http = new HttpClient { BaseAddress = targets.Admin, Timeout = TimeSpan.FromMinutes(3) };
        http.DefaultRequestHeaders.Add(CouponsAdminClient.KeyHeader, targets.AdminKey);
        return http;
    }
}
