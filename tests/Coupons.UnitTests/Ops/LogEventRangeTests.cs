using System.Reflection;
using Coupons.Ops;
using Microsoft.Extensions.Logging;

namespace Coupons.UnitTests.Ops;

public sealed class LogEventRangeTests
{
    private static readonly IReadOnlyList<(int Id, string Where, string Namespace)> Events = typeof(Program).Assembly.GetTypes()
        .SelectMany(type => type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
        .Select(method => (Method: method, Attribute: method.GetCustomAttribute<LoggerMessageAttribute>()))
        .Where(m => m.Attribute is not null)
        .Select(m => (m.Attribute!.EventId, $"{m.Method.DeclaringType!.Name}.{m.Method.Name}", m.Method.DeclaringType!.Namespace ?? ""))
        .ToList();

    [Fact]
    public void The_app_logs_through_source_generated_messages()
    {
        Assert.True(Events.Count >= 30, $"found only {Events.Count} [LoggerMessage] methods: is the scan looking in the right place?");
    }

    [Fact]
    public void Every_event_id_is_used_once()
    {
        var shared = Events.GroupBy(e => e.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Where))}");
        Assert.Empty(shared);
    }

    [Fact]
    public void Every_event_id_lies_in_a_block_of_its_own_feature()
    {
        var misplaced = Events
            .Where(e => !LogEventRanges.All.Any(r => e.Id >= r.First && e.Id <= r.Last
                && (e.Namespace == r.Namespace || e.Namespace.StartsWith(r.Namespace + ".", StringComparison.Ordinal))))
            .Select(e => $"{e.Id} in {e.Namespace} ({e.Where})");
        Assert.Empty(misplaced);
    }

    [Fact]
    public void The_blocks_do_not_overlap()
    {
        var ordered = LogEventRanges.All.OrderBy(r => r.First).ToList();
        Assert.All(ordered.Zip(ordered.Skip(1)), pair => Assert.True(pair.First.Last < pair.Second.First, $"{pair.First} overlaps {pair.Second}"));
    }
}
