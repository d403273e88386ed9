// Load generator for the coupon service (issue 5). Runs every scenario against one running app in one process, so the
// ratios compare like with like on the same machine in the same minute. dotnet run -c Release --project
// bench/Coupons.Bench -- --target http://127.0.0.1:8081 --admin-key KEY \ [--rate 10000] [--duration 60] [--clients 64]
// [--connections 256] [--spike-clients 2000] [--users 300000] [--only
// capacity,auth,rate,accept,drain,spike,soak,mysql-outage,streams,redeem,click,generator,search] [--streams 5000]
// [--redeem-people 30000] [--drain-backlog 40000: fits the mock broker's 5 MiB a partition] [--soak-minutes 10
// --soak-rate 3000] [--outage-seconds 60 --outage-rate 500] [--auth-rounds 3] [--app-pid PID: sample its RSS]
// [--processes app=PID,mariadb=PID,nginx=PID+PID: CPU per 1,000 clicks for each, issue 24] [--warmup S: the closed click
// load S seconds before the click or accept scenario is measured] [--admin-target URL: the admin API where it is not the target's] [--only ha
// --ha-target URL: nginx in front of the production topology, compared with --target = one of its replicas straight
// (bench/topology.sh)]
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Coupons.Bench;
using Coupons.Client;
using Coupons.Contracts;

var options = BenchOptions.Parse(args);
// A connection per client, however many a spike opens (--spike-clients).
using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Math.Max(4096, options.SpikeClients), PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
using var http = new HttpClient(handler) { BaseAddress = new Uri(options.Target), Timeout = TimeSpan.FromSeconds(10) };
// Open-model scenarios use a fixed pool of keep-alive connections, like wrk2 (see LoadProfiles.ConstantRateAsync).
using var openHandler = new SocketsHttpHandler { MaxConnectionsPerServer = options.Connections, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
using var open = new HttpClient(openHandler) { BaseAddress = new Uri(options.Target), Timeout = TimeSpan.FromSeconds(10) };
using var admin = new HttpClient { BaseAddress = new Uri(options.AdminTarget ?? options.Target), Timeout = TimeSpan.FromMinutes(2) };
admin.DefaultRequestHeaders.Add("X-Admin-Key", options.AdminKey);
var api = new AdminApi(new CouponsAdminClient(admin));
var probe = new AppProbe(admin, options.AppPid);

Console.WriteLine($"# bench {DateTime.UtcNow:u} target={options.Target} nproc={Environment.ProcessorCount} rate={options.Rate}/s duration={options.Duration.TotalSeconds}s clients={options.Clients}");
var prefix = "bench-" + Guid.NewGuid().ToString("N")[..6];
await api.CreateUsersAsync(prefix, options.Users);
Console.WriteLine($"# created {options.Users} users {prefix}-*");
long nextUser = 0;
string User() => $"{prefix}-{Interlocked.Increment(ref nextUser) % options.Users}";

var results = new List<LoadResult>();
var notes = new List<string>();
// Issue 24's CPU budget: what each watched process spent per 1,000 clicks, scenario by scenario.
var watched = WatchedProcess.Parse(options.Processes);
var budgets = new List<CpuSpend>();
var soakFailed = false;

// Runs one load profile while sampling the app's memory.
async Task<LoadResult> Measured(Func<Task<LoadResult>> run)
{
    using var rss = probe.SampleRss();
    var result = await run();
    result.AppPeakRssMiB = options.AppPid is null ? null : rss.PeakMiB;
    Console.WriteLine("# done: " + result.Row()); // as it happens: a run that dies later keeps what it measured
    return result;
}

// The closed all-accepted click on a coupon, its CPU budget taken over the load and the drain to the last decision.
async Task<LoadResult> BudgetedClickAsync(string name, long coupon)
{
    var decidedBefore = await probe.DecisionsAsync();
    var cpu = await CpuBudget.StartAsync(watched, probe);
    var load = await Measured(() => LoadProfiles.SpikeAsync(name, http,
        _ => new(HttpMethod.Post, $"/api/coupons/{coupon}/issue-fcfs/{User()}"), options.Clients, TimeSpan.Zero, options.CapacityDuration));
    var drained = await probe.WaitForDecisionsAsync(decidedBefore, load.Count(202), TimeSpan.FromMinutes(5)) >= load.Count(202);
    budgets.Add(await cpu.StopAsync(load.Name + (drained ? ", to the last decision" : ", DRAIN TIMED OUT after 5 min (idle time counted)"), load.Count(202)));
    return load;
}

// The closed click load first, not counted (--warmup S): the JIT's tiers and the runtime's profile-guided recompiles
// settle, and the measured window is the steady state a sale minutes after the deployment sees.
async Task WarmUpAsync()
{
    if (options.Warmup <= TimeSpan.Zero)
    {
        return;
    }

    var coupon = await api.CreateCouponAsync(10_000_000);
    var warm = await LoadProfiles.SpikeAsync("warm-up", http, _ => new(HttpMethod.Post, $"/api/coupons/{coupon}/issue-fcfs/{User()}"), options.Clients, TimeSpan.Zero, options.Warmup);
    await api.WaitForDrainAsync(coupon, TimeSpan.FromMinutes(5));
    Console.WriteLine($"# warmed up for {options.Warmup.TotalSeconds} s: {warm.Count(202)} accepted");
}

if (options.Wants("capacity"))
{
    // Closed model, same client count for all three: the ratio of what each path can do flat out.
    var cpu = await CpuBudget.StartAsync(watched, probe);
    var trivial = await Measured(() => LoadProfiles.SpikeAsync("trivial GET /health/live (closed)", http, _ => new(HttpMethod.Get, "/health/live"), options.Clients, TimeSpan.Zero, options.CapacityDuration));
    budgets.Add(await cpu.StopAsync(trivial.Name + ", every answer", trivial.Total));
    var soldOut = await api.CreateCouponAsync(1_000);
    cpu = await CpuBudget.StartAsync(watched, probe);
    var fcfs = await Measured(() => LoadProfiles.SpikeAsync("FCFS issue (closed)", http, _ => new(HttpMethod.Post, $"/api/coupons/{soldOut}/issue-fcfs/{User()}"), options.Clients, TimeSpan.Zero, options.CapacityDuration));
    budgets.Add(await cpu.StopAsync(fcfs.Name + ", every answer (1,000 accepted, the rest sold out)", fcfs.Total));
    var lockCoupon = await api.CreateCouponAsync(1_000_000);
    var dbLock = await Measured(() => LoadProfiles.SpikeAsync("DB-lock baseline (closed)", http, _ => new(HttpMethod.Post, $"/bench/db-lock/{lockCoupon}/{User()}"), options.Clients, TimeSpan.Zero, options.CapacityDuration));
    results.AddRange([trivial, fcfs, dbLock]);
    notes.Add(string.Create(CultureInfo.InvariantCulture, $"FCFS / trivial throughput = {fcfs.PerSecond(fcfs.Total) / trivial.PerSecond(trivial.Total):F2}x (target >= 0.5x)"));
    notes.Add(string.Create(CultureInfo.InvariantCulture, $"FCFS / DB-lock throughput = {fcfs.PerSecond(fcfs.Total) / Math.Max(1, dbLock.PerSecond(dbLock.Total)):F1}x (target >= 10x)"));
    notes.Add(await api.ConsistencyLineAsync(soldOut));
}

if (options.Wants("auth"))
{
    // What validating a bearer token costs the FCFS path: the same closed load on a sold-out coupon, anonymous and with
    // a token per user, alternated (anonymous, JWT, anonymous, JWT, ...) so drift over the run shows instead of biasing
    // one side.
    var coupon = await api.CreateCouponAsync(1_000);
    var subjects = Enumerable.Range(0, Math.Min(options.Users, 50_000)).Select(i => $"{prefix}-{i}").ToArray();
    var tokens = BenchTokens.Mint(subjects);
    HttpRequestMessage Anonymous(long n) => new(HttpMethod.Post, $"/api/coupons/{coupon}/issue-fcfs/{subjects[n % subjects.Length]}");
    HttpRequestMessage WithToken(long n)
    {
        var request = Anonymous(n);
        request.Headers.Authorization = new("Bearer", tokens[n % tokens.Length]);
        return request;
    }

    var runs = new List<(LoadResult Anonymous, LoadResult Jwt)>();
    for (var round = 1; round <= options.AuthRounds; round++)
    {
        var anonymous = await Measured(() => LoadProfiles.SpikeAsync($"FCFS anonymous (closed, round {round})", http, Anonymous, options.Clients, TimeSpan.Zero, options.CapacityDuration));
        var jwt = await Measured(() => LoadProfiles.SpikeAsync($"FCFS with JWT (closed, round {round})", http, WithToken, options.Clients, TimeSpan.Zero, options.CapacityDuration));
        results.AddRange([anonymous, jwt]);
        runs.Add((anonymous, jwt));
    }

    var anonymousRate = runs.Average(r => r.Anonymous.PerSecond(r.Anonymous.Total));
    var jwtRate = runs.Average(r => r.Jwt.PerSecond(r.Jwt.Total));
    var refused = runs.Sum(r => r.Jwt.Count(401) + r.Jwt.Count(403));
    notes.Add(string.Create(CultureInfo.InvariantCulture,
        $"JWT / anonymous FCFS throughput = {jwtRate / anonymousRate:F3}x ({jwtRate:F0} vs {anonymousRate:F0} req/s, mean of {runs.Count} rounds each; per round {string.Join(", ", runs.Select(r => (r.Jwt.PerSecond(r.Jwt.Total) / r.Anonymous.PerSecond(r.Anonymous.Total)).ToString("F2", CultureInfo.InvariantCulture)))}; target >= 0.85x); {refused} token refusals (expected 0)"));
    notes.Add(await api.ConsistencyLineAsync(coupon));
}

if (options.Wants("rate"))
{
    var coupon = await api.CreateCouponAsync(1_000);
    var constant = await Measured(() => LoadProfiles.ConstantRateAsync($"FCFS constant {options.Rate}/s (open, {options.Connections} connections)", open,
        _ => new(HttpMethod.Post, $"/api/coupons/{coupon}/issue-fcfs/{User()}"), options.Rate, options.Duration, options.MaxInFlight));
    results.Add(constant);
    notes.Add(await api.ConsistencyLineAsync(coupon));
}

if (options.Wants("accept"))
{
    // Stock above the request count: every request is accepted, published and written. Measures the drain too.
    await WarmUpAsync();
    var requests = (int)(options.AcceptRate * options.Duration.TotalSeconds);
    var coupon = await api.CreateCouponAsync(requests + 1_000);
    var endToEndBefore = await probe.EndToEndBucketsAsync();
    var decidedBefore = await probe.DecisionsAsync();
    var cpu = await CpuBudget.StartAsync(watched, probe);
    var started = Stopwatch.GetTimestamp();
    var accepted = await Measured(() => LoadProfiles.ConstantRateAsync($"FCFS all accepted {options.AcceptRate}/s (open, {options.Connections} connections)", open,
        _ => new(HttpMethod.Post, $"/api/coupons/{coupon}/issue-fcfs/{User()}"), options.AcceptRate, options.Duration, options.MaxInFlight));
    results.Add(accepted);
    var loadEnded = Stopwatch.GetTimestamp();
    var rows = await probe.WaitForDecisionsAsync(decidedBefore, accepted.Count(202), TimeSpan.FromMinutes(5));
    var drained = Stopwatch.GetTimestamp();
    budgets.Add(await cpu.StopAsync(accepted.Name + ", to the last decision", accepted.Count(202)));
    var endToEndAfter = await probe.EndToEndBucketsAsync();
    var total = Stopwatch.GetElapsedTime(started, drained).TotalSeconds;
    notes.Add(string.Create(CultureInfo.InvariantCulture,
        $"accept-all: {rows} decided in {total:F1} s = {rows / total:F0} rows/s; all decided {Stopwatch.GetElapsedTime(loadEnded, drained).TotalSeconds:F2} s after the load stopped; " +
        $"end to end (202 -> decision committed, app histogram): p50 {AppProbe.QuantileBound(endToEndBefore, endToEndAfter, 0.5)}, p99 {AppProbe.QuantileBound(endToEndBefore, endToEndAfter, 0.99)}"));
    notes.Add(await api.ConsistencyLineAsync(coupon));
}

if (options.Only.Contains("search"))
{
    // Issue 24, item 4: accept-all capacity = the largest offered rate still served with p99 <= 50 ms from each request's
    // scheduled time (open model, so a stall shows as latency, not as a lower rate). Rates rise by a quarter from
    // --accept-rate until one fails; each step has a coupon of its own and runs --duration.
    if (options.AcceptRate < 1)
    {
        throw new ArgumentException("--accept-rate: the search starts from a positive rate");
    }

    await WarmUpAsync();
    var served = 0;
    for (var offered = options.AcceptRate; ; offered = Math.Max(offered + 1, (int)(offered * 1.25)))
    {
        if (offered * options.Duration.TotalSeconds > options.Users)
        {
            // Users would repeat within the step and be answered 409: the pool, not the app, would end the search.
            notes.Add($"capacity search stopped at {offered}/s: a step needs {offered * options.Duration.TotalSeconds:F0} distinct users, --users is {options.Users}");
            break;
        }

        var coupon = await api.CreateCouponAsync((int)(offered * options.Duration.TotalSeconds) + 1_000);
        var step = await Measured(() => LoadProfiles.ConstantRateAsync($"FCFS all accepted {offered}/s (open, {options.Connections} connections, search)", open,
            _ => new(HttpMethod.Post, $"/api/coupons/{coupon}/issue-fcfs/{User()}"), offered, options.Duration, options.MaxInFlight));
        results.Add(step);
        await api.WaitForDrainAsync(coupon, TimeSpan.FromMinutes(5));
        var held = step.PercentileMs(99) <= 50 && step.ServerErrors == 0 && step.Errors == 0 && step.Count(202) >= 0.99 * step.Total;
        if (!held)
        {
            break;
        }

        served = offered;
    }

    notes.Add(served == 0
        ? $"capacity: below {options.AcceptRate}/s, the first step already missed p99 <= 50 ms from schedule (start lower: --accept-rate)"
        : string.Create(CultureInfo.InvariantCulture, $"capacity: {served} accepted clicks/s, the largest offered rate served with p99 <= 50 ms from schedule (steps of 1.25x from {options.AcceptRate}/s, {options.Duration.TotalSeconds} s each)"));
}

if (options.Wants("drain"))
{
    // A backlog first (consumer paused, every request accepted and waiting in Kafka), then how fast it is written.
    var requests = options.DrainBacklog;
    var coupon = await api.CreateCouponAsync(requests + 1_000);
    await api.SetConsumerPausedAsync(true);
    var backlog = await Measured(() => LoadProfiles.ConstantRateAsync($"FCFS all accepted, consumer paused ({requests} backlog)", open,
        _ => new(HttpMethod.Post, $"/api/coupons/{coupon}/issue-fcfs/{User()}"), options.AcceptRate, TimeSpan.FromSeconds((double)requests / options.AcceptRate), options.MaxInFlight));
    results.Add(backlog);
    var decidedBefore = await probe.DecisionsAsync();
    var resumed = Stopwatch.GetTimestamp();
    await api.SetConsumerPausedAsync(false);
    var drain = await probe.WatchDrainAsync(decidedBefore, backlog.Count(202), TimeSpan.FromMinutes(5));
    var seconds = Stopwatch.GetElapsedTime(resumed, drain.DoneAt).TotalSeconds;
    // Two figures: the writing rate once rows flow, and everything from the resume call (librdkafka restarts the
    // fetchers of resumed partitions on its broker thread's next wake-up, up to ~1 s later, whatever the backlog).
    notes.Add(string.Create(CultureInfo.InvariantCulture,
        $"drain: a backlog of {backlog.Count(202)} accepted requests; first rows {Stopwatch.GetElapsedTime(resumed, drain.FirstSeenAt).TotalSeconds:F2} s after the resume call, " +
        $"then written at {drain.WritingRate:F0} rows/s (target >= 20,000); resume to last row: {drain.Decided} in {seconds:F2} s = {drain.Decided / seconds:F0} rows/s"));
    notes.Add(await api.ConsistencyLineAsync(coupon));
}

if (options.Wants("spike"))
{
    // Issue 24, item 6: 0 -> N connections in 5 s, each clicking back to back for 15 s, on an open coupon and on a sold-out
    // one: every click answered (any status), none lost to a refused, reset or timed-out connection.
    foreach (var (shape, stock) in new[] { ("open coupon", 10_000_000), ("sold-out coupon", 1_000) })
    {
        var coupon = await api.CreateCouponAsync(stock);
        var cpu = await CpuBudget.StartAsync(watched, probe);
        var spike = await Measured(() => LoadProfiles.SpikeAsync($"FCFS spike 0->{options.SpikeClients} connections in 5 s, {shape}", http,
            _ => new(HttpMethod.Post, $"/api/coupons/{coupon}/issue-fcfs/{User()}"), options.SpikeClients, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)));
        budgets.Add(await cpu.StopAsync(spike.Name + ", the load only, every answer", spike.Total));
        results.Add(spike);
        notes.Add($"spike, {shape}: {spike.Errors} connection errors, resets or timeouts (target 0); " + await api.ConsistencyLineAsync(coupon));
    }
}

if (options.Wants("soak"))
{
    // Issue 24, item 7: flat RSS, GC pause p99 and click p99 over a long fixed-rate run (SoakScenario).
    var minutes = await SoakScenario.RunAsync(open, probe, watched, api.CreateCouponAsync, User, options.SoakRate, options.SoakMinutes, options.MaxInFlight);
    soakFailed = minutes.Any(m => m.ServerErrors > 0 || m.Errors > 0);
    notes.Add($"soak {options.SoakMinutes} min at {options.SoakRate}/s (a fresh coupon a minute, stock for half its clicks):\n" + SoakScenario.Table(minutes));
}

if (options.Wants("mysql-outage"))
{
    // The sale riding out a MySQL outage (issue 10): steady clicks, every one accepted, MariaDB stopped 10 s in for
    // --outage-seconds. Measures what was accepted meanwhile and how long the backlog took to be written once it was
    // back.
    var seconds = options.OutageSeconds + 20;
    var coupon = await api.CreateCouponAsync(options.OutageRate * seconds + 1_000);
    var decidedBefore = await probe.DecisionsAsync();
    var load = LoadProfiles.ConstantRateAsync($"FCFS {options.OutageRate}/s through a {options.OutageSeconds} s MySQL outage", open,
        _ => new(HttpMethod.Post, $"/api/coupons/{coupon}/issue-fcfs/{User()}"), options.OutageRate, TimeSpan.FromSeconds(seconds), options.MaxInFlight);
    await Task.Delay(TimeSpan.FromSeconds(10));
    await TestInfra.RunAsync("mysql-stop");
    await Task.Delay(TimeSpan.FromSeconds(options.OutageSeconds));
    await TestInfra.RunAsync("mysql-start");
    var back = Stopwatch.GetTimestamp();
    var outage = await load;
    var drain = await probe.WatchDrainAsync(decidedBefore, outage.Count(202), TimeSpan.FromMinutes(10));
    notes.Add(string.Create(CultureInfo.InvariantCulture,
        $"mysql outage {options.OutageSeconds} s at {options.OutageRate}/s: {outage.Count(202)} accepted, {outage.Count(503)} refused (503), {outage.Errors} errors, p99 {outage.PercentileMs(99):F1} ms; " +
        $"{drain.Decided} decided, the last {Stopwatch.GetElapsedTime(back, drain.DoneAt).TotalSeconds:F1} s after MariaDB was started again"));
    notes.Add(await api.ConsistencyLineAsync(coupon));
}

if (options.Only.Contains("click"))
{
    // The click alone, every one accepted (closed model): what bench/compare.sh sets against another build's.
    await WarmUpAsync();
    // A coupon of its own for the measured window: users the warm-up used (User() wraps) are new to it.
    var coupon = await api.CreateCouponAsync(10_000_000);
    var click = await BudgetedClickAsync($"FCFS all accepted (closed, {options.Clients} clients)", coupon);
    results.Add(click);
    if (click.Count(409) > 0)
    {
        notes.Add($"{click.Count(409)} clicks answered 409: users repeated within the window (raise --users); the rate is not all-accepted");
    }
}

if (options.Only.Contains("generator"))
{
    // Issue 24: is the bench's own generator the limit? wrk (C, one thread) and the bench's closed load, the same
    // connections and users on an accept-all coupon, alternated round by round, each with its CPU budget.
    if (!WrkLoad.Installed)
    {
        throw new InvalidOperationException("the generator check needs wrk (apt-get install wrk)");
    }

    var pairs = new List<(WrkRun Wrk, LoadResult Bench)>();
    for (var round = 1; round <= options.AuthRounds; round++)
    {
        var wrkCoupon = await api.CreateCouponAsync(10_000_000);
        var decidedBefore = await probe.DecisionsAsync();
        var cpu = await CpuBudget.StartAsync(watched, probe);
        var wrk = await WrkLoad.RunAsync(options.Target, wrkCoupon, prefix, options.Users, options.Clients, options.CapacityDuration);
        var wrkAccepted = wrk.Requests - wrk.Non2xx;
        await probe.WaitForDecisionsAsync(decidedBefore, wrkAccepted, TimeSpan.FromMinutes(5));
        var wrkName = $"wrk all accepted (closed, {options.Clients} connections, round {round})";
        budgets.Add(await cpu.StopAsync(wrkName + ", to the last decision", wrkAccepted));
        notes.Add(wrk.Row(wrkName));

        var own = await BudgetedClickAsync($"bench all accepted (closed, {options.Clients} clients, round {round})", await api.CreateCouponAsync(10_000_000));
        results.Add(own);
        pairs.Add((wrk, own));
    }

    notes.Add(string.Create(CultureInfo.InvariantCulture,
        $"generator check: bench / wrk accepted clicks per second per round {string.Join(", ", pairs.Select(p => $"{p.Bench.PerSecond(p.Bench.Count(202)) / Math.Max(1, p.Wrk.AcceptedPerSecond):F2}x"))} (target >= 1.0x)"));
}

if (options.Wants("streams"))
{
    notes.Add(await LifecycleScenarios.StreamsAsync(api, http, options.Target, User, options.Streams, options.AppPid));
}

if (options.Wants("redeem"))
{
    var (redeem, note) = await LifecycleScenarios.RedeemAsync(api, http, User, options.RedeemPeople, options.Clients, options.CapacityDuration);
    results.Add(redeem);
    notes.Add(note);
}

if (options.Wants("ha") && options.HaTarget is { } haTarget)
{
    // The production topology: one replica straight vs nginx in front of both, the same load, alternated round by
    // round so drift over the run shows instead of biasing one side.
    using var haHandler = new SocketsHttpHandler { MaxConnectionsPerServer = Math.Max(4096, options.SpikeClients), PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
    using var edge = new HttpClient(haHandler) { BaseAddress = new Uri(haTarget), Timeout = TimeSpan.FromSeconds(10) };
    (string Shape, int Stock, Func<HttpClient, string, long, Task<LoadResult>> Run)[] shapes =
    [
        ("all accepted", 10_000_000, (client, name, coupon) => LoadProfiles.SpikeAsync($"FCFS all accepted, {name} (closed, {options.Clients} clients)", client,
            _ => new(HttpMethod.Post, $"/api/coupons/{coupon}/issue-fcfs/{User()}"), options.Clients, TimeSpan.Zero, options.CapacityDuration)),
        ("open spike", 10_000_000, (client, name, coupon) => LoadProfiles.SpikeAsync($"FCFS open spike 0->{options.SpikeClients} in 5 s, {name}", client,
            _ => new(HttpMethod.Post, $"/api/coupons/{coupon}/issue-fcfs/{User()}"), options.SpikeClients, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15))),
        ("sold-out spike", 1_000, (client, name, coupon) => LoadProfiles.SpikeAsync($"FCFS sold-out spike 0->{options.SpikeClients} in 5 s, {name}", client,
            _ => new(HttpMethod.Post, $"/api/coupons/{coupon}/issue-fcfs/{User()}"), options.SpikeClients, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15))),
    ];
    foreach (var (shape, stock, run) in shapes)
    {
        var pairs = new List<(LoadResult Single, LoadResult Ha)>();
        for (var round = 1; round <= options.HaRounds; round++)
        {
            var single = await BudgetedAsync(http, "one replica");
            var ha = await BudgetedAsync(edge, "nginx + 2 replicas");
            results.AddRange([single, ha]);
            pairs.Add((single, ha));
        }

        // Charged over the load only, per answer: the consumers' writes are split between the replicas, and one replica's
        // counter cannot say when both have drained (issue 24, item 5: what the nginx hop costs per request).
        async Task<LoadResult> BudgetedAsync(HttpClient client, string path)
        {
            var coupon = await api.CreateCouponAsync(stock);
            var cpu = await CpuBudget.StartAsync(watched, probe);
            var load = await Measured(() => run(client, path, coupon));
            // The probe reads replica 1 only: through nginx its allocation, GC and batch columns are replica 1's.
            budgets.Add(await cpu.StopAsync(load.Name + ", the load only, every answer" + (client == edge ? " (app columns: replica 1's only)" : ""), load.Total));
            return load;
        }

        notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"HA / single, {shape}: throughput {string.Join(", ", pairs.Select(p => $"{p.Ha.PerSecond(p.Ha.Total) / p.Single.PerSecond(p.Single.Total):F2}x"))} " +
            $"(target >= 0.8x, issue 24 item 5); p99 added by nginx + the second replica: {string.Join(", ", pairs.Select(p => $"{p.Ha.PercentileMs(99) - p.Single.PercentileMs(99):+0.0;-0.0} ms"))}"));
    }
}

Console.WriteLine();
Console.WriteLine(LoadResult.Header);
foreach (var result in results)
{
    Console.WriteLine(result.Row());
}

if (budgets.Count > 0)
{
    Console.WriteLine();
    Console.WriteLine("CPU ms per 1,000 clicks (= µs per click), from /proc:");
    Console.WriteLine(CpuSpend.Header(watched.Select(p => p.Name)));
    foreach (var budget in budgets)
    {
        Console.WriteLine(budget.Row());
    }
}

Console.WriteLine();
foreach (var note in notes)
{
    Console.WriteLine("- " + note);
}

// A 5xx or a lost connection anywhere fails the run (the spike's target is zero of either), as does a soak minute with one.
return results.Any(r => r.ServerErrors > 0 || (r.Name.Contains("spike", StringComparison.Ordinal) && r.Errors > 0)) || soakFailed ? 1 : 0;

internal sealed record BenchOptions(
    string Target, string? AdminTarget, string? HaTarget, int HaRounds, string AdminKey, int Rate, int AcceptRate, TimeSpan Duration, TimeSpan CapacityDuration, int Clients, int SpikeClients,
    int Users, int MaxInFlight, int Connections, int DrainBacklog, int SoakMinutes, int SoakRate, int OutageSeconds, int OutageRate, int AuthRounds, int? AppPid,
    HashSet<string> Only, int Streams, int RedeemPeople, string? Processes, TimeSpan Warmup)
{
    /// <summary>
    /// Without --only: every scenario but the soak (ten minutes on its own), the MySQL outage (it stops MariaDB) and
    /// the HA comparison (it needs the production topology).
    /// </summary>
    public bool Wants(string scenario) => Only.Count == 0 ? scenario is not ("soak" or "mysql-outage" or "ha") : Only.Contains(scenario);

    public static BenchOptions Parse(string[] args)
    {
        var map = new Dictionary<string, string>();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            map[args[i].TrimStart('-')] = args[i + 1];
        }

        int Int(string key, int fallback) => map.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new BenchOptions(
            map.GetValueOrDefault("target", "http://127.0.0.1:8081"),
            map.GetValueOrDefault("admin-target"),
            map.GetValueOrDefault("ha-target"),
            Int("ha-rounds", 2),
            map.GetValueOrDefault("admin-key", "local-dev-admin-key"),
            Int("rate", 10_000), Int("accept-rate", 5_000), TimeSpan.FromSeconds(Int("duration", 60)), TimeSpan.FromSeconds(Int("capacity-duration", 20)),
            Int("clients", 64), Int("spike-clients", 2_000), Int("users", 300_000), Int("max-in-flight", 20_000), Int("connections", 256), Int("drain-backlog", 40_000), Int("soak-minutes", 10), Int("soak-rate", 3_000),
            Int("outage-seconds", 60), Int("outage-rate", 500), Int("auth-rounds", 3),
            map.TryGetValue("app-pid", out var pid) ? int.Parse(pid, CultureInfo.InvariantCulture) : null,
            map.TryGetValue("only", out var only) ? only.Split(',').ToHashSet() : [],
            Int("streams", 5_000), Int("redeem-people", 30_000), map.GetValueOrDefault("processes"), TimeSpan.FromSeconds(Int("warmup", 0)));
    }
}

/// <summary>
/// The bench's set-up and checks, through the same typed admin client the tests and on-call tools use.
/// </summary>
internal sealed class AdminApi(CouponsAdminClient admin)
{
    public async Task CreateUsersAsync(string prefix, int count) =>
        await admin.CreateUsersAsync(Enumerable.Range(0, count)
            .Select(i => new NewUserRequest($"{prefix}-{i}", $"Bench {i}", $"{prefix}-{i}@bench.example")).ToList());

    public async Task<long> CreateCouponAsync(int total)
    {
        var now = DateTimeOffset.UtcNow;
        var id = await admin.CreateCouponAsync(new CreateCouponRequest("bench", "FIXED", null, 1000m, null, total, now.AddMinutes(-1), now.AddHours(2), 7));
        await admin.OpenAsync(id);
        return id;
    }

    public async Task SetConsumerPausedAsync(bool paused)
    {
        var state = await admin.SetConsumerPausedAsync(paused);
        if (state.Paused != paused)
        {
            throw new InvalidOperationException($"the consumer did not {(paused ? "pause" : "resume")}: {state}");
        }
    }

    public Task<ConsistencyReportView> WaitForDrainAsync(long couponId, TimeSpan timeout) => admin.WaitForDrainAsync(couponId, timeout);

    public async Task<string> ConsistencyLineAsync(long couponId)
    {
        var report = await WaitForDrainAsync(couponId, TimeSpan.FromMinutes(5));
        return string.Create(CultureInfo.InvariantCulture,
            $"coupon {couponId}: consistent={report.Consistent} total={report.TotalQuantity} rows={report.Database.UserCouponRows} " +
            $"redisRemaining={report.Redis.RemainingStock} problems=[{string.Join("; ", report.Problems)}]");
    }
}

/// <summary>Breaks and heals the real stack the way the tests and drills do (scripts/test-infra.sh).</summary>
internal static class TestInfra
{
    public static async Task RunAsync(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", ["scripts/test-infra.sh", command]))!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/test-infra.sh {command} failed with {process.ExitCode}");
        }
    }
}
