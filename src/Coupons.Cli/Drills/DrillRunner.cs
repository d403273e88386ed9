using System.Collections.Concurrent;
using System.Diagnostics;
using Coupons.Client;
using Coupons.Contracts;

namespace Coupons.Cli.Drills;

/// <summary>How a drill runs: where, how hard, and where Prometheus and the database are.</summary>
public sealed record DrillSettings(Targets Targets, DrillStack Stack, Uri? Prometheus, string MySql, double UsersPerSecond, TimeSpan Warmup, TimeSpan Cooldown)
{
    /// <summary>
    /// How long a drill waits for its users' final answers and the pipeline to drain once the fault is healed.
    /// </summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Whether the drill's admin key is its own (--drill-key), so the audit tells it from operators.</summary>
    public bool OwnKey { get; init; }

    /// <summary>
    /// How long a drill waits for its alert, already pending or firing, to clear before it refuses to run.
    /// </summary>
    public TimeSpan QuietWait { get; init; } = TimeSpan.FromMinutes(3);
}

/// <summary>
/// One drill, start to end: a coupon with more units than users (so every user must end up holding one), users
/// arriving steadily from before the fault to after it, the fault held until its alert fires, healed, the time until
/// a newcomer is accepted and the pipeline drained, then I1–I6 (design.md §2) from the database. PASS needs all of:
/// detected within the severity's target, recovered within the scenario's, every invariant holding.
/// </summary>
public sealed class DrillRunner(DrillScenario scenario, DrillSettings settings, Action<string> progress)
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    private readonly ConcurrentQueue<DrillEvent> _events = new();

    public async Task<DrillReport> RunAsync(CancellationToken ct)
    {
        var fault = settings.Stack.For(scenario);
        using var adminHttp = new HttpClient { BaseAddress = settings.Targets.Admin, Timeout = TimeSpan.FromSeconds(30) };
        adminHttp.DefaultRequestHeaders.Add(CouponsAdminClient.KeyHeader, settings.Targets.AdminKey);
        using var publicHttp = CrowdHttp.Create(settings.Targets.App, TimeSpan.FromSeconds(10));
        var admin = new CouponsAdminClient(adminHttp);
        using var alert = scenario.Alert is not null && settings.Prometheus is not null ? new AlertWatch(settings.Prometheus, scenario.Alert) : null;
        if (settings.MySql.Length == 0)
        {
            throw new DrillRefusedException("no --mysql: the drill reads what it checks (I1–I6, the pipeline) from MariaDB itself");
        }

        if (alert is not null)
        {
            await QuietBeforeAsync(alert, ct);
        }

        var startedAt = Note($"drill {scenario.Name} on the {settings.Stack.Name} stack: {fault.How}");
        var (units, users) = await CreateUsersAsync(admin, ct);
        var couponId = await CreateCouponAsync(admin, units, ct);
        Note($"coupon {couponId} with {units} units for {users.Count} users: they arrive at {settings.UsersPerSecond}/s, each clicking twice at once " +
            "(id as stored and upper-cased); whoever has not come when the drill ends arrives at once and sells it out");

        var actor = await NoteActorAsync(admin, couponId, ct);
        var load = new DrillLoad(new CouponsClient(publicHttp), couponId, users);
        var pipeline = new DrillPipeline(settings.MySql, couponId, load);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var arrivals = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var arriving = load.ArriveAsync(settings.UsersPerSecond, arrivals.Token, stop.Token);
        await Task.Delay(settings.Warmup, ct);

        DateTimeOffset injectedAt, healedAt;
        DateTimeOffset? recoveredAt;
        var healed = false;
        var injecting = DateTimeOffset.UtcNow;
        try
        {
            await fault.InjectAsync(ct);
            injectedAt = Note($"fault injected: {scenario.Fault}");
            // A fault the service rides out by itself is recovered from while it lasts: timed from the injection, not
            // after the hold.
            var recovering = fault.HealsItself ? RecoverAsync(load, pipeline, injectedAt, null, stop.Token) : null;
            await HoldAsync(alert, injectedAt, ct);
            await fault.HealAsync(ct);
            healed = true;
            healedAt = Note(fault.HealsItself ? "nothing to heal: the service must recover by itself" : "fault healed");
            recoveredAt = await (recovering ?? RecoverAsync(load, pipeline, healedAt, alert, stop.Token));
        }
        finally
        {
            if (!healed)
            {
                // Interrupted (Ctrl+C, a failure): a server frozen with SIGSTOP or a stopped broker must not outlive
                // the drill.
                await fault.HealAsync(CancellationToken.None);
                progress("fault healed on the way out");
            }
        }

        await Task.Delay(settings.Cooldown, ct);
        await arrivals.CancelAsync();
        await arriving;
        var during = load.Answers.Count(a => a.Status == 202 && a.At >= injecting && a.At <= healedAt);
        Note(during == 0 ? "no click was accepted during the fault" : $"{during} click{(during == 1 ? " was" : "s were")} accepted during the fault");
        Note($"{load.Arrived} users came; the other {users.Count - load.Arrived} arrive at once, {units} units for {users.Count} users");
        await load.RushAsync(CrowdPerSecond, stop.Token);
        Note("waiting for every final answer and the drain");
        stop.CancelAfter(settings.Settle);
        await load.FinishAsync();
        if (load.UnresolvedAlreadyRequested > 0)
        {
            Note($"{load.UnresolvedAlreadyRequested} ALREADY_REQUESTED answers named a request that was neither PENDING nor ISSUED (SPEC I6 allows it for a few seconds after an uncertain 503); those users clicked again");
        }

        await DrainAsync(pipeline, settings.Settle, ct);
        await AwaitResolvedAsync(alert, healedAt, publicHttp, adminHttp, ct);

        var invariants = await InvariantsAsync(admin, couponId, load, ct);
        var endedAt = Note("invariants read from the database");
        return Judge(fault, couponId, load, invariants, alert, startedAt, injectedAt, healedAt, recoveredAt, endedAt, during) with { Actor = actor };
    }

    /// <summary>
    /// The flash crowd at the end: fast enough to sell out at once, slow enough not to exhaust sockets.
    /// </summary>
    private const double CrowdPerSecond = 400;

    /// <summary>
    /// An alert already pending or firing (a previous drill's, a real incident's) would read as this drill's detection
    /// at ~0 s: wait a while for it to clear, then refuse to run.
    /// </summary>
    private async Task QuietBeforeAsync(AlertWatch alert, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var now = await alert.ReadAsync(ct);
            if (now is ("inactive", _))
            {
                return;
            }

            if (waited.Elapsed >= settings.QuietWait)
            {
                throw new DrillRefusedException(now is var (state, instance)
                    ? $"{alert.Alert} is already {state}{(instance is null ? "" : $" on {instance}")} before the fault: this drill could not tell its own detection from it. Let it resolve (or fix what it says) and run again."
                    : $"cannot read {alert.Alert}'s state before the fault ({alert.Error}): detection could not be measured.");
            }

            if (waited.Elapsed < Poll)
            {
                progress($"{alert.Alert} is {(now is var (s, _) ? s : "unreadable")} before the fault; waiting up to {settings.QuietWait.TotalSeconds:F0} s for it to clear");
            }

            await Task.Delay(Poll * 2, ct);
        }
    }

    private DrillReport Judge(Fault fault, long couponId, DrillLoad load, IReadOnlyList<InvariantCheck> invariants, AlertWatch? alert,
        DateTimeOffset startedAt, DateTimeOffset injectedAt, DateTimeOffset healedAt, DateTimeOffset? recoveredAt, DateTimeOffset endedAt, int acceptedDuringFault)
    {
        var failures = new List<string>();
        double? detected = alert?.FiringAt is { } firing ? (firing - injectedAt).TotalSeconds : null;
        if (scenario.Alert is not null)
        {
            if (settings.Prometheus is null)
            {
                failures.Add($"detection not measured: no --prometheus to watch {scenario.Alert} in");
            }
            else if (detected is null || detected > scenario.Severity.Detect.TotalSeconds)
            {
                failures.Add($"{scenario.Alert} did not fire within the {scenario.Severity.Level} detect target ({scenario.Severity.Detect.TotalSeconds:F0} s){(alert?.Error is { } e ? $": {e}" : "")}");
            }
            else if (!fault.HealsItself && alert?.LastState != "inactive")
            {
                // A killed replica stays down until someone restarts it (app-kill): its alert rightly keeps firing.
                failures.Add($"{scenario.Alert} still {alert?.LastState} {ResolveWait.TotalMinutes:F0} min after the heal: the next drill would inherit it");
            }
        }

        var recoverFrom = fault.HealsItself ? injectedAt : healedAt;
        double? recovered = recoveredAt is { } r ? (r - recoverFrom).TotalSeconds : null;
        if (recovered is null || recovered > scenario.RecoverWithin.TotalSeconds)
        {
            failures.Add($"not recovered within {scenario.RecoverWithin.TotalSeconds:F0} s (a newcomer accepted and nothing in flight or parked)");
        }

        failures.AddRange(invariants.Where(i => !i.Holds).Select(i => $"{i.Id} {i.Rule} broken: {i.Evidence}"));
        var counters = LoadCounters.From(load.Answers);
        if (scenario.Name == "apm-down" && counters.Requests != counters.Accepted + counters.Conflicts)
        {
            failures.Add($"the service was touched by the APM's loss: {counters.Requests - counters.Accepted - counters.Conflicts} answers other than 202/409");
        }

        return new DrillReport(scenario.Name, settings.Stack.Name, fault.How, failures.Count == 0, failures, startedAt, injectedAt, healedAt, endedAt,
            scenario.Alert, scenario.Severity.Level, detected, scenario.Severity.Detect.TotalSeconds,
            alert?.ResolvedAt is { } resolved ? (resolved - healedAt).TotalSeconds : null,
            recovered, recoveredAt, scenario.RecoverWithin.TotalSeconds, couponId, counters, invariants, [.. _events.OrderBy(e => e.At)])
        {
            AcceptedDuringFault = acceptedDuringFault,
        };
    }

    /// <summary>The guide's duration (design.md §1) at least; with an alert to watch, until it fires or the severity's
    /// detect target passes.</summary>
    private async Task HoldAsync(AlertWatch? alert, DateTimeOffset injectedAt, CancellationToken ct)
    {
        var held = Stopwatch.StartNew();
        var limit = alert is null ? scenario.Hold : scenario.Hold + scenario.Severity.Detect;
        while (held.Elapsed < limit)
        {
            if (alert is not null && await alert.PollAsync(ct) is var state)
            {
                if (alert.PendingAt is { } pending && state == "pending" && !_events.Any(e => e.What.StartsWith($"{alert.Alert} pending", StringComparison.Ordinal)))
                {
                    Note($"{alert.Alert} pending (Prometheus sees the condition), {(pending - injectedAt).TotalSeconds:F0} s after the fault");
                }

                if (alert.FiringAt is { } firing && !_events.Any(e => e.What.StartsWith($"{alert.Alert} firing", StringComparison.Ordinal)))
                {
                    _events.Enqueue(new DrillEvent(firing, $"{alert.Alert} firing ({scenario.Severity.Level}){(alert.FiringInstance is { } on ? $" on {on}" : "")}, {(firing - injectedAt).TotalSeconds:F0} s after the fault"));
                    progress($"{alert.Alert} firing after {(firing - injectedAt).TotalSeconds:F0} s");
                }
            }

            if (held.Elapsed >= scenario.Hold && (alert is null || alert.FiringAt is not null))
            {
                return;
            }

            await Task.Delay(Poll, ct);
        }
    }

    /// <summary>When a newcomer's click is accepted again and nothing accepted is still in flight or parked.</summary>
    private async Task<DateTimeOffset?> RecoverAsync(DrillLoad load, DrillPipeline pipeline, DateTimeOffset from, AlertWatch? alert, CancellationToken ct)
    {
        using var within = CancellationTokenSource.CreateLinkedTokenSource(ct);
        within.CancelAfter(RecoveryDeadline.After(scenario.RecoverWithin, from, DateTimeOffset.UtcNow));
        try
        {
            while (!await load.ProbeAsync(within.Token))
            {
                within.Token.ThrowIfCancellationRequested();
            }

            Note("a newcomer's click accepted");
            while (await pipeline.InFlightOrParkedAsync(within.Token) is not 0)
            {
                if (alert is not null)
                {
                    await alert.PollAsync(within.Token);
                }

                await Task.Delay(Poll / 2, within.Token);
            }

            return Note("recovered: nothing in flight or parked");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Note("not recovered in time");
            return null;
        }
        catch (DrillOutOfUsersException ex)
        {
            Note($"not recovered: {ex.Message}");
            return null;
        }
    }

    private async Task DrainAsync(DrillPipeline pipeline, TimeSpan within, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (await pipeline.InFlightOrParkedAsync(ct) is not 0 && waited.Elapsed < within)
        {
            await Task.Delay(Poll, ct);
        }

        Note(waited.Elapsed < within ? "drained" : $"still not drained after {within.TotalSeconds:F0} s");
    }

    /// <summary>How long after the heal the drill's alert must have stopped firing.</summary>
    private static readonly TimeSpan ResolveWait = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Watches the alert stop firing (for the report, the post-mortem's timeline, and the next drill), at most
    /// <see cref="ResolveWait"/> after the heal.
    /// </summary>
    private async Task AwaitResolvedAsync(AlertWatch? alert, DateTimeOffset healedAt, HttpClient app, HttpClient admin, CancellationToken ct)
    {
        if (alert?.FiringAt is null)
        {
            return;
        }

        // Judged at heal + ResolveWait (or now, if that has passed): resolved then, not merely once before.
        while (DateTimeOffset.UtcNow - healedAt < ResolveWait && await alert.PollAsync(ct) != "inactive")
        {
            await Task.Delay(Poll, ct);
        }

        await alert.PollAsync(ct);

        if (alert.ResolvedAt is { } resolved && alert.LastState == "inactive")
        {
            _events.Enqueue(new DrillEvent(resolved, $"{alert.Alert} resolved, {(resolved - healedAt).TotalSeconds:F0} s after the heal"));
        }
        else
        {
            Note($"{alert.Alert} still {alert.LastState} {ResolveWait.TotalMinutes:F0} min after the heal{(alert.Error is { } e ? $" ({e})" : "")}; the app's health then: {await HealthAsync(app, ct)}; its gauges: {await GaugesAsync(admin, ct)}; Prometheus reads: {await alert.DescribeAsync("up or coupons_dependency_up", ct)}");
        }
    }

    private static async Task<string> HealthAsync(HttpClient app, CancellationToken ct)
    {
        try
        {
            using var response = await app.GetAsync("/actuator/health", ct);
            return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return ex.Message;
        }
    }

    /// <summary>What the app publishes about its dependencies (the series the alert rules read).</summary>
    private static async Task<string> GaugesAsync(HttpClient admin, CancellationToken ct)
    {
        try
        {
            var samples = PrometheusText.Parse(await admin.GetStringAsync("/metrics", ct));
            return string.Join(", ", samples.Where(s => s.Name is "coupons_dependency_up" or "coupons_circuit_state")
                .Select(s => $"{s.Name}{{{s.Labels.GetValueOrDefault("dependency")}}}={s.Value}"));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return ex.Message;
        }
    }

    /// <summary>
    /// Units for everyone who can arrive while the drill runs (and its recovery probes), and a tenth more users who
    /// only come in the crowd at the end: so the coupon sells out, and over-issue or a false sell-out could show.
    /// </summary>
    private async Task<(int Units, IReadOnlyList<string> Users)> CreateUsersAsync(CouponsAdminClient admin, CancellationToken ct)
    {
        var longest = settings.Warmup + scenario.Hold + (scenario.Alert is null ? TimeSpan.Zero : scenario.Severity.Detect) + scenario.RecoverWithin
            + RecoveryDeadline.Room + settings.Cooldown;
        var units = (int)Math.Ceiling(longest.TotalSeconds * settings.UsersPerSecond) + 100;
        var count = units + Math.Max(20, units / 10);
        var run = Guid.NewGuid().ToString("N")[..10];
        var users = Enumerable.Range(0, count).Select(i => new NewUserRequest($"drill-{run}-{i}", $"Drill user {i}", $"drill-{run}-{i}@drill.example")).ToList();
        foreach (var batch in users.Chunk(CouponsAdminClient.MaxUsersPerCall))
        {
            await admin.CreateUsersAsync(batch, ct);
        }

        return (units, [.. users.Select(u => u.PublicId!)]);
    }

    /// <summary>I1–I6 (design.md §2) and the gate against the database; a database that cannot be read is a failed
    /// check, not a crash without a report.</summary>
    private async Task<IReadOnlyList<InvariantCheck>> InvariantsAsync(CouponsAdminClient admin, long couponId, DrillLoad load, CancellationToken ct)
    {
        var gate = await GateAsync(admin, couponId, ct);
        try
        {
            return await DatabaseInvariants.CheckAsync(settings.MySql, couponId, load.Answers, gate, ct);
        }
        catch (Exception ex) when (ex is MySqlConnector.MySqlException or InvalidOperationException or ArgumentException && !ct.IsCancellationRequested)
        {
            return [new InvariantCheck("I1–I6", "read from the database", false, $"MariaDB could not be read: {ex.Message}")];
        }
    }

    /// <summary>
    /// Who the audit says set this drill up: the drill's own key, or the same key as people (which it then says).
    /// </summary>
    private async Task<string?> NoteActorAsync(CouponsAdminClient admin, long couponId, CancellationToken ct)
    {
        try
        {
            var actors = (await admin.AuditAsync(couponId, ct: ct)).Select(e => e.Actor).Distinct().ToList();
            Note($"the admin audit records this drill's calls as {string.Join(", ", actors.Select(a => $"'{a}'"))}" + (settings.OwnKey ? " (its own key)"
                : ": the key operators use, so the audit cannot tell this drill from a person; give drills a key of their own (Admin:Keys, --drill-key)"));
            return actors.FirstOrDefault();
        }
        catch (Exception ex) when (ex is ApiProblemException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            Note($"the admin audit could not be read: {ex.Message}");
            return null;
        }
    }

    /// <summary>Redis's view of the coupon at the end, through the admin API, to hold against the database.</summary>
    private static async Task<GateView> GateAsync(CouponsAdminClient admin, long couponId, CancellationToken ct)
    {
        try
        {
            var report = await admin.ConsistencyAsync(couponId, ct);
            return new GateView(report.Redis.RemainingStock, report.Redis.GateOpen);
        }
        catch (Exception ex) when (ex is HttpRequestException or ApiProblemException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return new GateView(null, false, ex.Message);
        }
    }

    private async Task<long> CreateCouponAsync(CouponsAdminClient admin, int units, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var id = await admin.CreateCouponAsync(new CreateCouponRequest($"drill {scenario.Name} {now:yyyy-MM-dd HH:mm}", "FIXED", null, 1000m, 0m, units, now.AddMinutes(-1), now.AddDays(1), 7), ct);
        await admin.OpenAsync(id, ct);
        return id;
    }

    private DateTimeOffset Note(string what)
    {
        var at = DateTimeOffset.UtcNow;
        _events.Enqueue(new DrillEvent(at, what));
        progress(what);
        return at;
    }
}
