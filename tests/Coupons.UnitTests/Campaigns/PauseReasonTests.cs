using Coupons.Campaigns;
using Coupons.Testing;
using CsCheck;

namespace Coupons.UnitTests.Campaigns;

/// <summary>A pause's reason is shown in a terminal and kept in the audit: one line of bounded plain text.</summary>
public sealed class PauseReasonTests
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("payment provider down, INC-42 — 결제 장애", true)]
    [InlineData("line one\nline two", false)]
    [InlineData("\u001b[31mred\u001b[0m", false)]   // a terminal escape
    [InlineData("tab\there", false)]
    public void A_reason_is_one_line_of_text(string? reason, bool taken) =>
        Assert.Equal(taken, SaleSwitchAdminApi.InvalidReason(reason) is null);

    [Fact]
    public void Any_string_is_taken_exactly_when_it_is_short_enough_and_has_no_control_character() =>
        Fuzz.Check("pause reasons", Gen.OneOf(Gen.String, Gen.String[Gen.Char, 195, 205], Gen.String[Gen.Char.AlphaNumeric, 195, 205]), reason =>
            Assert.Equal(reason.Length <= SaleSwitchAdminApi.MaxReasonLength && !reason.Any(char.IsControl), SaleSwitchAdminApi.InvalidReason(reason) is null),
            fixedSeed: "0pausereason", cases: 2_000);
}
