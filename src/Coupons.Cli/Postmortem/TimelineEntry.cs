namespace Coupons.Cli.Postmortem;

/// <summary>One line of the post-mortem's timeline, with where it came from.</summary>
public sealed record TimelineEntry(DateTimeOffset At, string Source, string What);
