namespace Coupons.Cli.Status;

/// <summary>The guide's severities (design.md §1), most urgent first; None: nothing found.</summary>
public enum Severity
{
    P0 = 0,
    P1 = 1,
    P2 = 2,
    P3 = 3,
    None = 4,
}

/// <summary>One thing the checklist found: how bad, which runbook, and the signal that says so.</summary>
public sealed record Finding(Severity Severity, string Runbook, string Reason);

/// <summary>The overall verdict: the most urgent finding decides the severity and the runbook to open next.</summary>
/// <param name="NotLookedAt">What this reading could not have seen even when every part answered.</param>
public sealed record Assessment(Severity Severity, string? Runbook, IReadOnlyList<Finding> Findings, IReadOnlyList<string> NotLookedAt)
{
    /// <summary>
    /// 0 when nothing is wrong, else 10 + the P level (P0 = 10 ... P3 = 13), so scripts can branch on it.
    /// </summary>
    public int ExitCode => Severity == Severity.None ? 0 : 10 + (int)Severity;
}

/// <summary>
/// The guide's P0–P3 definitions (design.md §1) applied to one reading of the signals, with the severities of
/// deploy/prometheus/alerts.yml and the signal definitions of <see cref="AlertRules"/>, so the tool and the pager agree
/// (AlertRulesTests). Alerts already firing count as findings too, and so does every part that could not be read:
/// status never says OK about what it did not see.
/// </summary>
public static class Triage
{
    /// <summary>
    /// The runbook for "status could not read a source": what to check, and where else to look meanwhile.
    /// </summary>
    public const string BlindRunbook = "CouponsStatusBlind";

    /// <summary>The runbook of the kill switch: when to pause, how to resume, what to check before.</summary>
    public const string SalePausedRunbook = "CouponsSalePaused";

    /// <summary>
    /// How old a replica's view of the pauses may be before status says so: it reads them every 500 ms.
    /// </summary>
    public static readonly TimeSpan StalePausesView = TimeSpan.FromSeconds(5);

    /// <summary>The global switch's runbook (and alert).</summary>
    public const string EverySalePausedRunbook = "CouponsEverySalePaused";

    private static readonly Dictionary<string, (Severity Severity, string Runbook)> DependencyDown = new()
    {
        ["db"] = (Severity.P0, "CouponsMySQLDown"),
        ["redis"] = (Severity.P1, "CouponsRedisDown"),
        ["kafka"] = (Severity.P1, "CouponsKafkaUnreachable"),
        ["consumer"] = (Severity.P2, "CouponsConsumerLagHigh"),
    };

    public static Assessment Assess(Signals s)
    {
        var findings = new List<Finding>();
        findings.AddRange(ReplicaFindings(s));
        findings.AddRange(PipelineFindings(s));
        findings.AddRange(PauseFindings(s));
        findings.AddRange(AdminFindings(s));
        findings.AddRange(AlertFindings(s));

        var ordered = findings.OrderBy(f => f.Severity).ToList();
        var notLookedAt = NotLookedAt(s);
        return ordered.Count == 0
            ? new Assessment(Severity.None, null, [], notLookedAt)
            : new Assessment(ordered[0].Severity, ordered[0].Runbook, ordered, notLookedAt);
    }

    /// <summary>
    /// A source that could not be read hides everything it would have shown: P0 when nothing else shows the pipeline.
    /// </summary>
    private static Severity Blind(Signals s) => s.SeesThePipeline ? Severity.P2 : Severity.P0;

    private static IEnumerable<Finding> ReplicaFindings(Signals s)
    {
        foreach (var replica in s.Replicas.Where(r => r.AppUnreachable is not null))
        {
            yield return new(Severity.P0, "CouponsAppDown", $"{replica.Replica.App} does not answer its health check: {replica.AppUnreachable}");
        }

        // One finding per dependency, naming every replica that reports it down.
        var down = s.Replicas.SelectMany(r => r.Dependencies.Where(d => !d.Up).Select(d => (Replica: r, Dependency: d)))
            .GroupBy(x => x.Dependency.Name);
        foreach (var dependency in down)
        {
            var (severity, runbook) = DependencyDown.GetValueOrDefault(dependency.Key, (Severity.P1, "CouponsHighErrorRate"));
            var where = s.Replicas.Count == 1 ? "" : $" of {string.Join(", ", dependency.Select(x => x.Replica.Replica.App))}";
            var details = dependency.Select(x => x.Dependency.Details).FirstOrDefault(d => d is not null);
            yield return new(severity, runbook, $"{dependency.Key} is DOWN on the readiness check{where}{(details is null ? "" : $": {details}")}");
        }

        // A replica that does not answer at all is already P0; its /metrics being unreadable adds nothing.
        foreach (var replica in s.Replicas.Where(r => r.AppUnreachable is null && r.MetricsError is not null))
        {
            yield return new(Blind(s), BlindRunbook,
                $"/metrics of {replica.Replica.Admin} unreadable ({replica.MetricsError}): its lag, circuits, parked count and consumer are not seen");
        }
    }

    private static IEnumerable<Finding> PipelineFindings(Signals s)
    {
        foreach (var circuit in s.Replicas.SelectMany(r => r.Circuits.Where(c => c.Value == 1).Select(c => c.Key)).Distinct())
        {
            yield return new(Severity.P2, "CouponsCircuitOpen", $"the {circuit} circuit is open (calls fail fast)");
        }

        // What every replica read failed to export is unknown, not zero (the series is dropped when its query fails).
        if (s.Replicas.Any(r => r.MetricsError is null))
        {
            if (s.LagByPartition.Count == 0)
            {
                yield return new(Severity.P2, BlindRunbook, "no replica exports coupons_consumer_lag: the consumer group's lag is not seen (Kafka unreadable, or the app just started)");
            }

            if (s.Parked is null)
            {
                yield return new(Severity.P2, BlindRunbook, "no replica exports coupons_parked_requests: the parked count is not seen (its database query failed)");
            }
        }

        if (s.ConsumerLag > AlertRules.ConsumerLagThreshold)
        {
            yield return new(Severity.P2, "CouponsConsumerLagHigh",
                $"consumer lag {s.ConsumerLag:N0} > {AlertRules.ConsumerLagThreshold:N0} (accepted requests waiting to be written)");
        }

        if (s.Parked is > 0)
        {
            yield return new(Severity.P1, "CouponsParkedRequestsGrowing", $"{s.Parked:N0} accepted requests parked in the database, waiting for Kafka");
        }

        if (s.Replicas.Any(r => r.ConsumerPaused))
        {
            var paused = s.Replicas.Where(r => r.ConsumerPaused).Select(r => r.Replica.Admin.ToString());
            yield return new(Severity.P3, "CouponsConsumerPaused", $"an operator paused the consumer of {string.Join(", ", paused)}");
        }
    }

    private static IEnumerable<Finding> AdminFindings(Signals s)
    {
        if (s.AdminError is not null)
        {
            yield return new(Blind(s), BlindRunbook,
                $"admin API unreadable ({s.AdminError}): dead letters and the open coupons' consistency are not seen");
            yield break;
        }

        if (s.NewDeadLetters is > 0)
        {
            yield return new(Severity.P2, "CouponsDeadLetters",
                $"{s.NewDeadLetters} messages dead-lettered in the last {AlertRules.DeadLetterWindow.TotalMinutes:F0} min");
        }

        foreach (var coupon in s.Coupons.Where(c => c.Unreadable is not null))
        {
            yield return new(Severity.P2, BlindRunbook, $"coupon {coupon.Id}'s consistency report unreadable ({coupon.Unreadable}): its drift is not seen");
        }

        foreach (var coupon in s.Coupons.Where(c => c.Unreadable is null && !c.Consistent && c.InFlight == 0 && c.Parked == 0))
        {
            yield return new(Severity.P2, "CouponsReconciliationDrift",
                $"coupon {coupon.Id} is inconsistent with nothing in flight: {string.Join("; ", coupon.Problems.DefaultIfEmpty("see its consistency report"))}");
        }
    }

    /// <summary>
    /// A pause is deliberate, but a sale nobody resumed is an outage nobody sees: every pause in force is a finding,
    /// the global one P2 (nothing sells), one sale's P3. Pauses that could not be read are not "none".
    /// </summary>
    private static IEnumerable<Finding> PauseFindings(Signals s)
    {
        // A replica keeps its last view of the pauses while it cannot read the database: one made since is not
        // honoured there. One that does not say what it honours may be a release that ignores pauses altogether.
        foreach (var replica in s.Replicas.Where(r => r.AppUnreachable is null && r.MetricsError is null))
        {
            if (replica.PausesViewAge is not { } age)
            {
                yield return new(Severity.P3, SalePausedRunbook,
                    $"{replica.Replica.Admin} does not export coupons_sales_pauses_age_seconds: it may not honour sale pauses (a release before them?)");
            }
            else if (age > StalePausesView.TotalSeconds)
            {
                yield return new(Severity.P2, SalePausedRunbook,
                    $"{replica.Replica.Admin} last read the sale pauses {age:F0} s ago: a pause or resume made since is not honoured there (its database?)");
            }
        }


        if (s.PausesError is not null)
        {
            yield return new(Severity.P2, BlindRunbook, $"sale pauses unreadable ({s.PausesError}): whether clicks are refused on purpose is not seen");
            yield break;
        }

        foreach (var pause in s.Pauses.OrderBy(p => p.CouponId ?? 0))
        {
            var who = $"since {pause.PausedAt:yyyy-MM-dd HH:mm} UTC by {pause.PausedBy}{(pause.Reason is null ? "" : $" ({pause.Reason})")}";
            yield return pause.CouponId is { } id
                ? new(Severity.P3, SalePausedRunbook, $"the sale of coupon {id} is paused {who}: its clicks answer 503 SALE_PAUSED")
                : new(Severity.P2, EverySalePausedRunbook, $"EVERY sale is paused {who}: every click answers 503 SALE_PAUSED");
        }
    }

    private static IEnumerable<Finding> AlertFindings(Signals s)
    {
        if (s.AlertmanagerAsked && s.AlertmanagerError is not null)
        {
            yield return new(Blind(s), BlindRunbook, $"Alertmanager unreadable ({s.AlertmanagerError}): the alerts firing now are not seen");
        }

        // One finding per alert, however many instances fire it (each replica reports its own dependencies).
        foreach (var alert in s.Alerts.DistinctBy(a => (a.Name, a.Severity)))
        {
            var severity = Enum.TryParse<Severity>(alert.Severity, out var parsed) && parsed != Severity.None ? parsed : Severity.P3;
            yield return new(severity, alert.Name, $"alert {alert.Name} ({alert.Severity}) firing since {alert.Since:HH:mm:ss} UTC");
        }
    }

    /// <summary>What no part of this reading covers, said on every screen, OK or not.</summary>
    private static List<string> NotLookedAt(Signals s)
    {
        var gaps = new List<string>
        {
            $"replicas not given with --url ({s.Replicas.Count} given)",
        };
        if (s.OpenCoupons > s.Coupons.Count && s.AdminError is null)
        {
            gaps.Add($"the consistency of {s.OpenCoupons - s.Coupons.Count} older open coupons (the newest {s.Coupons.Count} of {s.OpenCoupons} were checked)");
        }

        gaps.Add(s.AlertmanagerAsked
            ? "Prometheus itself: an Alertmanager with nothing firing looks the same when Prometheus is down"
            : "alerts: Alertmanager not asked (--alertmanager), so Prometheus, its rules and what it scrapes are not looked at");
        return gaps;
    }
}
