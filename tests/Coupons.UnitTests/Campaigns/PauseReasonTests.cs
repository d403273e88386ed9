using Coupons.Campaigns;
using Coupons.Testing;
using CsCheck;

namespace Coupons.UnitTests.Campaigns;

/// <summary>
/// A pause's reason is shown in an operator's terminal and kept in the database and the audit: one line of visible
/// text, at most 200 characters as the database counts them (code points, utf8mb4).
/// </summary>
public sealed class PauseReasonTests
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("payment provider down, INC-42 — 결제 장애 🔥", true)]
    [InlineData("line one\nline two", false)]
    [InlineData("\u001b[31mred\u001b[0m", false)]   // a terminal escape
    [InlineData("tab\there", false)]
    [InlineData("admin\u202Enimda", false)]         // hostile review: a bidi override reorders what the terminal shows
    [InlineData("one\u2028two", false)]             // a line separator
    [InlineData("zero\u200Bwidth", false)]          // invisible
    public void A_reason_is_one_line_of_visible_text(string? reason, bool taken) =>
        Assert.Equal(taken, SaleSwitchAdminApi.InvalidReason(reason) is null);

    /// <summary>Not a theory case: the test runner would turn the lone surrogate into U+FFFD on the way.</summary>
    [Fact]
    public void An_unpaired_surrogate_which_cannot_be_stored_is_refused() =>
        Assert.NotNull(SaleSwitchAdminApi.InvalidReason("half \uD83D pair"));

    /// <summary>Hostile review: 101 emoji are 202 UTF-16 units but 101 characters, which the column holds.</summary>
    [Fact]
    public void Length_is_counted_as_the_database_counts_it()
    {
        Assert.Null(SaleSwitchAdminApi.InvalidReason(string.Concat(Enumerable.Repeat("🔥", 200))));
        Assert.NotNull(SaleSwitchAdminApi.InvalidReason(string.Concat(Enumerable.Repeat("🔥", 201))));
    }

    private static readonly string[] Visible = ["a", "Z", "7", " ", "-", ",", "결", "제", "é", "—", "🔥", "\u4E2D"];

    private static readonly string[] Invisible = ["\n", "\r", "\t", "\u0000", "\u001b", "\u0085", "\u200B", "\u200E", "\u202A", "\u202E", "\u2066", "\u2028", "\u2029", "\uFEFF", "\uE000", "\uDC00"];

    [Fact]
    public void Visible_text_is_taken_up_to_200_characters_and_any_invisible_character_is_refused() =>
        Fuzz.Check("pause reasons", Gen.Select(Gen.OneOf<string>(Visible).Array[0, 220], Gen.OneOf<string>(Invisible), Gen.Int[0, 220], Gen.Bool),
            t =>
            {
                var (parts, bad, at, inject) = t;
                var text = string.Concat(parts);
                var reason = inject ? string.Concat(parts.Take(at)) + bad + string.Concat(parts.Skip(at)) : text;
                Assert.Equal(!inject && parts.Length <= SaleSwitchAdminApi.MaxReasonLength, SaleSwitchAdminApi.InvalidReason(reason) is null);
            }, fixedSeed: "0pausereason", cases: 3_000, print: t => $"{t.Item1.Length} parts, bad U+{(int)t.Item2[0]:X4} at {t.Item3}, injected {t.Item4}");
}
