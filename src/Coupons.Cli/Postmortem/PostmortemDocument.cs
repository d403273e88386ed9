using System.Globalization;
using System.Text;

namespace Coupons.Cli.Postmortem;

/// <summary>
/// The guide's post-mortem template (design.md §1), filled in from <see cref="PostmortemFacts"/>: every number names
/// its source. The causes, what went well and the action items stay prompts for the people in the review. <c>ko</c>
/// uses the guide's Korean headings.
/// </summary>
public static class PostmortemDocument
{
    private static readonly IReadOnlyDictionary<string, (string En, string Ko)> Headings = new Dictionary<string, (string, string)>
    {
        ["title"] = ("Incident report (draft)", "장애 보고서 (초안)"),
        ["summary"] = ("Summary", "요약"),
        ["when"] = ("When", "장애 일시"),
        ["severity"] = ("Severity", "장애 등급"),
        ["version"] = ("Version", "버전"),
        ["impact"] = ("Impact", "영향 범위"),
        ["cause"] = ("Root cause", "근본 원인"),
        ["timeline"] = ("Timeline", "타임라인"),
        ["targets"] = ("Detection and response against the targets", "감지·대응 시간 (목표 대비)"),
        ["charts"] = ("Charts", "그래프"),
        ["analysis"] = ("Analysis", "상세 분석"),
        ["causes"] = ("Causes", "발생 원인"),
        ["response"] = ("Response", "대응 과정"),
        ["prevention"] = ("Preventing a recurrence", "재발 방지 대책"),
        ["actions"] = ("Action items", "Action Items"),
        ["references"] = ("References", "참고 자료"),
        ["gaps"] = ("Not available for this draft", "이 초안에 없는 자료"),
    };

    public static string Render(PostmortemFacts f, string lang, string chartLinkBase)
    {
        var ko = lang == "ko";
        string H(string key) => ko ? Headings[key].Ko : Headings[key].En;
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(inv, $"# {H("title")}");
        md.AppendLine();
        md.AppendLine(inv, $"## {H("summary")}");
        md.AppendLine(inv, $"- **{H("when")}**: {f.From:yyyy-MM-dd HH:mm:ss} ~ {f.To:HH:mm:ss} UTC ({(f.To - f.From).TotalMinutes:F1} min){(f.Drill is { } d ? $"; drill `{d.Scenario}` ({d.Verdict}): {d.Fault}" : "")}");
        var versions = f.Versions switch
        {
            null => "unavailable (Prometheus not read)",
            [] => "not known (no coupons_build_info in Prometheus for the window)",
            var v => string.Join(", ", v),
        };
        md.AppendLine(inv, $"- **{H("version")}**: {versions} _(coupons_build_info, Prometheus)_; drafted by couponctl {f.DraftedBy}");
        md.AppendLine(inv, $"- **{H("severity")}**: {f.Severity} ({(f.Drill is null ? "the highest severity among the alerts that fired" : "the drill's scenario")})");
        md.AppendLine(inv, $"- **{H("impact")}**:");
        foreach (var line in ImpactLines(f))
        {
            md.AppendLine(inv, $"  - {line}");
        }

        md.AppendLine(inv, $"  - Revenue: _for the business to fill in: units not issued x coupon value is not revenue lost by itself_");
        md.AppendLine(inv, $"- **{H("cause")}**: _one sentence, for the review_");
        md.AppendLine();
        md.AppendLine(inv, $"## {H("timeline")}");
        md.AppendLine();
        md.AppendLine("| UTC | event | source |");
        md.AppendLine("|---|---|---|");
        foreach (var e in f.Timeline)
        {
            md.AppendLine(inv, $"| {e.At:HH:mm:ss.f} | {e.What.Replace("|", "/", StringComparison.Ordinal)} | {e.Source} |");
        }

        md.AppendLine();
        md.AppendLine(inv, $"## {H("targets")}");
        md.AppendLine();
        md.AppendLine(inv, $"| | measured | {f.Severity} target | met | from |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var t in f.Timings)
        {
            md.AppendLine(inv, $"| {t.What} | {(t.Seconds is { } s ? $"{s:F0} s" : "not measured")} | {Target(t.TargetSeconds)} | {t.WithinTarget switch { true => "yes", false => "**no**", null => "-" }} | {t.Source.Replace("|", "/", StringComparison.Ordinal)} |");
        }

        if (f.Charts.Count > 0)
        {
            md.AppendLine();
            md.AppendLine(inv, $"## {H("charts")}");
            md.AppendLine();
            md.AppendLine("Drawn from Prometheus range queries over the window; the fault's span is shaded, alerts firing are dashed lines.");
            md.AppendLine();
            foreach (var chart in f.Charts)
            {
                md.AppendLine(inv, $"![{Path.GetFileNameWithoutExtension(chart)}]({chartLinkBase}/{Path.GetFileName(chart)})");
            }
        }

        md.AppendLine();
        md.AppendLine(inv, $"## {H("analysis")}");
        md.AppendLine(inv, $"### {H("causes")}");
        md.AppendLine(ko ? "- 직접 원인:\n- 근본 원인:\n- 기여 요인:" : "- Direct cause:\n- Root cause:\n- Contributing factors:");
        md.AppendLine(inv, $"### {H("response")}");
        md.AppendLine(ko ? "- 잘된 점:\n- 개선 필요:\n- 학습한 점:" : "- What went well:\n- What to improve:\n- What we learned:");
        md.AppendLine();
        md.AppendLine(inv, $"## {H("prevention")}");
        md.AppendLine(ko ? "- 단기 (1주일 이내): [ ]\n- 중기 (1개월 이내): [ ]\n- 장기 (3개월 이내): [ ]" : "- Short term (within a week): [ ]\n- Medium term (within a month): [ ]\n- Long term (within three months): [ ]");
        md.AppendLine();
        md.AppendLine(inv, $"## {H("actions")}");
        md.AppendLine(ko ? "| 작업 | 담당자 | 기한 | 상태 |\n|---|---|---|---|\n| | | | |" : "| action | owner | due | status |\n|---|---|---|---|\n| | | | |");
        if (f.Unavailable.Count > 0)
        {
            md.AppendLine();
            md.AppendLine(inv, $"## {H("gaps")}");
            f.Unavailable.ToList().ForEach(u => md.AppendLine($"- {u}"));
        }

        return md.ToString();
    }

    private static IEnumerable<string> ImpactLines(PostmortemFacts f)
    {
        if (f.Drill is { Load: var l })
        {
            yield return $"Users refused at least once (503, 429 or no answer): **{l.UsersRefusedAtLeastOnce}** of {l.Users} _(drill load counters)_";
            yield return $"Failed requests: **{l.Requests - l.Accepted - l.Conflicts}** of {l.Requests} ({l.Unavailable} x 503, {l.RateLimited} x 429, {l.NoAnswer} unanswered, {l.OtherErrors} other) _(drill load counters)_";
            yield return $"Delayed: **{l.UsersDelayedOver5s}** users waited over 5 s for their final answer; p99 {l.P99LatencyMs:F0} ms _(drill load counters)_";
            yield return $"Accepted (202): **{l.Accepted}** _(drill load counters)_";
        }

        if (f.Database is { } db)
        {
            var scope = db.CouponId is { } c ? $"coupon {c}" : "all coupons";
            yield return $"Issued in the window: **{db.IssuedInWindow}** coupons to {db.UsersIssuedInWindow} users; refused by the database: {db.RejectedInWindow} _(database: user_coupons, issue_requests; {scope})_";
            yield return $"Accepted requests still parked now: **{db.ParkedNow}** _(database: parked_requests; {scope})_";
        }

        if (f.Drill is { } d)
        {
            var lost = d.Invariants.FirstOrDefault(i => i.Id == "I3");
            yield return $"Accepted but not issued at the drill's end: {lost?.Evidence ?? "not checked"} _(drill, I3 from the database)_";
        }

        if (f.Metrics is { } m)
        {
            var outcomes = string.Join(", ", m.FcfsAnswersByOutcome.OrderByDescending(o => o.Value).Select(o => $"{o.Key} {o.Value}"));
            // The counts stop at the window's last scrape: beside the drill's or the database's figures they can read
            // lower, by what the last scrape interval held (a drill's final burst often lands there).
            var until = m.CountedUntil is { } last ? $" up to the last scrape in it, {last.UtcDateTime:HH:mm:ss} UTC" : "";
            yield return $"FCFS answers by outcome: {(outcomes.Length == 0 ? "none" : outcomes)} _(app counters via Prometheus, every coupon: each scraped sample's rise within the window{until}, across restarts)_";
            yield return $"Units parked {m.Parked}, relayed {m.Relayed}, returned by reconciliation {m.UnitsReturned}; highest consumer lag {m.MaxConsumerLag} _(app counters via Prometheus, every coupon)_";
        }
    }

    private static string Target(double seconds) => seconds >= 86400 ? $"{seconds / 86400:F0} d" : seconds >= 3600 ? $"{seconds / 3600:F0} h" : $"{seconds / 60:F0} min";
}
