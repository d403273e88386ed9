using Coupons.Admin;
using Microsoft.Extensions.Configuration;

namespace Coupons.UnitTests.Admin;

/// <summary>
/// Hostile review, 2026-12-07: a scope the binder cannot read must stop the start, naming the setting. Before, a
/// misspelt setting (<c>Scopes=Read</c>) left an on-call key with full rights, "read-only" made the binder drop the key
/// silently, and "2" bound to a scope that does not exist.
/// </summary>
public sealed class AdminKeySettingsTests
{
    [Theory]
    [InlineData("Scope", "read-only", "Admin__Keys__0__Scope='read-only' is neither Read nor Operate")]
    [InlineData("Scope", "ReadOnly", "Admin__Keys__0__Scope='ReadOnly' is neither Read nor Operate")]
    [InlineData("Scope", "1", "Admin__Keys__0__Scope='1' is neither Read nor Operate")]
    [InlineData("Scope", "2", "Admin__Keys__0__Scope='2' is neither Read nor Operate")]
    [InlineData("Scope", "", "Admin__Keys__0__Scope='' is neither Read nor Operate")]
    [InlineData("Scopes", "Read", "Admin__Keys__0__Scopes is not a key setting (Id, Key, Scope)")]
    [InlineData("Role", "Read", "Admin__Keys__0__Role is not a key setting (Id, Key, Scope)")]
    public void A_scope_the_binder_would_get_wrong_is_named(string setting, string value, string problem) =>
        Assert.Equal([problem], AdminOptions.KeySettingProblems(Configuration((setting, value))));

    [Theory]
    [InlineData("Read")]
    [InlineData("read")]
    [InlineData("Operate")]
    [InlineData(null)]
    public void Read_and_operate_by_name_or_no_scope_at_all_are_fine(string? scope) =>
        Assert.Empty(AdminOptions.KeySettingProblems(scope is null ? Configuration() : Configuration(("Scope", scope))));

    private static IConfiguration Configuration(params (string Setting, string Value)[] more)
    {
        var values = new Dictionary<string, string?> { ["Admin:Keys:0:Id"] = "oncall", ["Admin:Keys:0:Key"] = "k" };
        foreach (var (setting, value) in more)
        {
            values[$"Admin:Keys:0:{setting}"] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }
}
