using System.Collections.Concurrent;
using System.Diagnostics;
using Coupons.Client;
using Coupons.Contracts;

namespace Coupons.Cli.Drills;

/// <summary>How a drill runs: where, how hard, and where Prometheus and the database are.</summary>
public sealed record DrillSettings(Targets Targets, DrillStack Stack, Uri? Prometheus, string MySql, double UsersPerSecond, TimeSpan Warmup, TimeSpan Cooldown)
{
    /// <summary>How long a drill waits for its users' final answers and the pipeline to drain once the fault is healed.</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// One drill, start to end: a coupon with more units than users (so every user must end up holding one), users
/// arriving steadily from before the fault to after it, the fault held until its alert fires, healed, the time until
/// a newcomer is accepted and the pipeline drained, then I1–I6 from the database. PASS needs all of: detected within
/// the severity's target, recovered within the scenario's, every invariant holding.
/// </summary>
public sealed class DrillRunner(DrillScenario scenario, DrillSettings settings, Action<string> progress)
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    private readonly ConcurrentQueue<DrillEvent> events = new();

    public async Task<DrillReport> RunAsync(CancellationToken ct)
    {
        var fault = settings.Stack.For(scenario);
        using var adminHttp = new HttpClient { BaseAddress = settings.Targets.Admin, Timeout = TimeSpan.FromSeconds(30) };
        adminHttp.DefaultRequestHeaders.Add(CouponsAdminClient.KeyHeader, settings.Targets.AdminKey);
        using var publicHttp = new HttpClient { BaseAddress = settings.Targets.App, Timeout = TimeSpan.FromSeconds(10) };
        var admin = new CouponsAdminClient(adminHttp);
        using var alert = scenario.Alert is not null && settings.Prometheus is not null ? new AlertWatch(settings.Prometheus, scenario.Alert) : null;

        var startedAt = Note($"drill {scenario.Name} on the {settings.Stack.Name} stack: {fault.How}");
        var longest = settings.Warmup + scenario.Hold + (scenario.Alert is null ? TimeSpan.Zero : scenario.Severity.Detect) + scenario.RecoverWithin + settings.Cooldown;
        var users = await CreateUsersAsync(admin, (int)Math.Ceiling(longest.TotalSeconds * settings.UsersPerSecond) + 100, ct);
        var couponId = await CreateCouponAsync(admin, users.Count, ct);
        Note($"coupon {couponId} with {users.Count} units for {users.Count} users arriving at {settings.UsersPerSecond}/s");

        var load = new DrillLoad(new CouponsClient(publicHttp), couponId, users);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var arrivals = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var arriving = load.ArriveAsync(settings.UsersPerSecond, arrivals.Token, stop.Token);
        await Task.Delay(settings.Warmup, ct);

        await fault.InjectAsync(ct);
        var injectedAt = Note($"fault injected: {scenario.Fault}");
        await HoldAsync(alert, injectedAt, ct);
        await fault.HealAsync(ct);
        var healedAt = Note(fault.HealsItself ? "nothing to heal: the service must recover by itself" : "fault healed");

        var recoveredAt = await RecoverAsync(load, admin, couponId, fault.HealsItself ? injectedAt : healedAt, alert, stop.Token);
        await Task.Delay(settings.Cooldown, ct);
        await arrivals.CancelAsync();
        await arriving;
        Note($"arrivals stopped after {load.Arrived} users; waiting for every final answer and the drain");
        stop.CancelAfter(settings.Settle);
        await load.FinishAsync();
        if (load.UnresolvedAlreadyRequested > 0)
        {
            Note($"{load.UnresolvedAlreadyRequested} ALREADY_REQUESTED answers named a request that was neither PENDING nor ISSUED (SPEC I6 allows it for a few seconds after an uncertain 503); those users clicked again");
        }

        await DrainAsync(admin, couponId, settings.Settle, ct);
        await AwaitResolvedAsync(alert, healedAt, publicHttp, adminHttp, ct);

        var invariants = await DatabaseInvariants.CheckAsync(settings.MySql, couponId, load.Answers, ct);
        var endedAt = Note("invariants read from the database");
        return Judge(fault, couponId, load, invariants, alert, startedAt, injectedAt, healedAt, recoveredAt, endedAt);
    }

    private DrillReport Judge(Fault fault, long couponId, DrillLoad load, IReadOnlyList<InvariantCheck> invariants, AlertWatch? alert,
        DateTimeOffset startedAt, DateTimeOffset injectedAt, DateTimeOffset healedAt, DateTimeOffset? recoveredAt, DateTimeOffset endedAt)
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
            recovered, recoveredAt, scenario.RecoverWithin.TotalSeconds, couponId, counters, invariants, [.. events.OrderBy(e => e.At)]);
    }

    /// <summary>The guide's duration at least; with an alert to watch, until it fires or the severity's detect target passes.</summary>
    private async Task HoldAsync(AlertWatch? alert, DateTimeOffset injectedAt, CancellationToken ct)
    {
        var held = Stopwatch.StartNew();
        var limit = alert is null ? scenario.Hold : scenario.Hold + scenario.Severity.Detect;
        while (held.Elapsed < limit)
        {
            if (alert is not null && await alert.PollAsync(ct) is var state)
            {
                if (alert.PendingAt is { } pending && state == "pending" && !events.Any(e => e.What.StartsWith($"{alert.Alert} pending", StringComparison.Ordinal)))
                {
                    Note($"{alert.Alert} pending (Prometheus sees the condition), {(pending - injectedAt).TotalSeconds:F0} s after the fault");
                }

                if (alert.FiringAt is { } firing && !events.Any(e => e.What.StartsWith($"{alert.Alert} firing", StringComparison.Ordinal)))
                {
                    events.Enqueue(new DrillEvent(firing, $"{alert.Alert} firing ({scenario.Severity.Level}), {(firing - injectedAt).TotalSeconds:F0} s after the fault"));
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
    private async Task<DateTimeOffset?> RecoverAsync(DrillLoad load, CouponsAdminClient admin, long couponId, DateTimeOffset from, AlertWatch? alert, CancellationToken ct)
    {
        using var within = CancellationTokenSource.CreateLinkedTokenSource(ct);
        within.CancelAfter(scenario.RecoverWithin - (DateTimeOffset.UtcNow - from) + TimeSpan.FromSeconds(30)); // room to measure a miss
        try
        {
            while (!await load.ProbeAsync(within.Token))
            {
                within.Token.ThrowIfCancellationRequested();
            }

            Note("a newcomer's click accepted");
            while (await InFlightOrParkedAsync(admin, couponId, within.Token) is not 0)
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
    }

    private static async Task<long?> InFlightOrParkedAsync(CouponsAdminClient admin, long couponId, CancellationToken ct)
    {
        try
        {
            var report = await admin.ConsistencyAsync(couponId, ct);
            return report.InFlight + report.Parked;
        }
        catch (Exception ex) when (ex is HttpRequestException or ApiProblemException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return null; // the admin API is not answering yet (a killed replica's admin port): not recovered
        }
    }

    private async Task DrainAsync(CouponsAdminClient admin, long couponId, TimeSpan within, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (await InFlightOrParkedAsync(admin, couponId, ct) is not 0 && waited.Elapsed < within)
        {
            await Task.Delay(Poll, ct);
        }

        Note(waited.Elapsed < within ? "drained" : $"still not drained after {within.TotalSeconds:F0} s");
    }

    /// <summary>Watches the alert stop firing (for the report and the post-mortem's timeline), at most two minutes after the heal.</summary>
    private async Task AwaitResolvedAsync(AlertWatch? alert, DateTimeOffset healedAt, HttpClient app, HttpClient admin, CancellationToken ct)
    {
        if (alert?.FiringAt is null)
        {
            return;
        }

        while (alert.ResolvedAt is null && DateTimeOffset.UtcNow - healedAt < TimeSpan.FromMinutes(2))
        {
            await alert.PollAsync(ct);
            await Task.Delay(Poll, ct);
        }

        if (alert.ResolvedAt is { } resolved)
        {
            events.Enqueue(new DrillEvent(resolved, $"{alert.Alert} resolved, {(resolved - healedAt).TotalSeconds:F0} s after the heal"));
        }
        else
        {
            Note($"{alert.Alert} still {alert.LastState} two minutes after the heal{(alert.Error is { } e ? $" ({e})" : "")}; the app's health then: {await HealthAsync(app, ct)}; its gauges: {await GaugesAsync(admin, ct)}; Prometheus reads: {await alert.DescribeAsync("up or coupons_dependency_up", ct)}");
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

    private static async Task<IReadOnlyList<string>> CreateUsersAsync(CouponsAdminClient admin, int count, CancellationToken ct)
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var users = Enumerable.Range(0, count).Select(i => new NewUserRequest($"drill-{run}-{i}", $"Drill user {i}", $"drill-{run}-{i}@drill.example")).ToList();
        foreach (var batch in users.Chunk(CouponsAdminClient.MaxUsersPerCall))
        {
            await admin.CreateUsersAsync(batch, ct);
        }

        return [.. users.Select(u => u.PublicId!)];
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
        events.Enqueue(new DrillEvent(at, what));
        progress(what);
        return at;
    }
}
