using Coupons.Infrastructure;
using Coupons.Testing;
using CsCheck;
using Microsoft.Extensions.Configuration;

namespace Coupons.UnitTests.Infrastructure;

/// <summary>
/// A store's address under <c>ConnectionStrings</c>, and under its old key for one release: whichever the latest source
/// sets wins, as between any two sources, so an old key in the environment still beats the new one in
/// appsettings.Development.json; a warning whenever the old key is set anywhere.
/// </summary>
public sealed class StoreAddressTests
{
    private static readonly StoreAddress Address = StoreAddress.Database;

    [Fact]
    public void The_new_key_is_read()
    {
        var configuration = Sources(new Dictionary<string, string?> { [Address.Key] = "Server=new" });

        Assert.Equal("Server=new", Address.Read(configuration));
        Assert.Null(Address.LegacyWarning(configuration));
    }

    [Fact]
    public void The_old_key_alone_is_read_with_a_warning_naming_both()
    {
        var configuration = Sources(new Dictionary<string, string?> { [Address.LegacyKey] = "Server=old" });

        Assert.Equal("Server=old", Address.Read(configuration));
        Assert.Equal("Database__ConnectionString is read as ConnectionStrings__coupons for this release only: rename it",
            Address.LegacyWarning(configuration));
    }

    [Fact]
    public void An_old_key_in_a_later_source_wins_over_the_new_key_in_an_earlier_one()
    {
        // appsettings.Development.json's new key, then the environment's old one: the environment won before the
        // rename.
        var configuration = Sources(new Dictionary<string, string?> { [Address.Key] = "Data Source=coupons.db" }, new Dictionary<string, string?> { [Address.LegacyKey] = "Data Source=/tmp/mine.db" });

        Assert.Equal("Data Source=/tmp/mine.db", Address.Read(configuration));
        Assert.Contains("rename it", Address.LegacyWarning(configuration), StringComparison.Ordinal);
    }

    [Fact]
    public void Both_keys_in_one_source_the_new_one_wins_and_the_old_is_called_ignored()
    {
        var configuration = Sources(new Dictionary<string, string?> { [Address.Key] = "Server=new", [Address.LegacyKey] = "Server=old" });

        Assert.Equal("Server=new", Address.Read(configuration));
        Assert.Contains("Database__ConnectionString is ignored", Address.LegacyWarning(configuration), StringComparison.Ordinal);
    }

    [Fact]
    public void A_blank_new_key_does_not_hide_the_old_one()
    {
        var configuration = Sources(new Dictionary<string, string?> { [Address.LegacyKey] = "Server=old" }, new Dictionary<string, string?> { [Address.Key] = " " });

        Assert.Equal("Server=old", Address.Read(configuration));
    }

    [Fact]
    public void Nothing_set_reads_null_without_a_warning()
    {
        var configuration = Sources(new Dictionary<string, string?> { ["Database:Provider"] = "MySql" });

        Assert.Null(Address.Read(configuration));
        Assert.Null(Address.LegacyWarning(configuration));
    }

    [Fact]
    public void The_keys_are_where_dotnet_and_aspire_look() =>
        Assert.Equal(["ConnectionStrings__coupons", "ConnectionStrings__redis", "ConnectionStrings__kafka"], StoreAddress.All.Select(a => a.Variable));

    /// <summary>
    /// Any stack of sources, each setting either key to a value, a blank or nothing: what is read is a value some
    /// source gives (never a blank), the latest source's when it gives one, the new key's when that source gives both;
    /// a warning comes exactly when some source gives the old key a value, and says "rename" exactly when the old key's
    /// value is read.
    /// </summary>
    [Fact]
    public void Any_stack_of_sources_reads_the_latest_given_value()
    {
        string?[] values = [null, "", "  ", "Server=a", "Server=b", "Server=c"];
        var value = Gen.Int[0, values.Length - 1].Select(i => values[i]);
        var source = Gen.Select(value, value, (current, legacy) => (Current: current, Legacy: legacy));
        Fuzz.Check("store address sources (unit)", source.Array[1, 4], sources =>
        {
            var configuration = Sources([.. sources.Select(s => Settings(s.Current, s.Legacy))]);
            static bool Given(string? v) => !string.IsNullOrWhiteSpace(v);
            var latest = sources.LastOrDefault(s => Given(s.Current) || Given(s.Legacy));
            var expected = latest == default ? null : Given(latest.Current) ? latest.Current : latest.Legacy;

            Assert.Equal(expected, Address.Read(configuration));
            var warning = Address.LegacyWarning(configuration);
            Assert.Equal(sources.Any(s => Given(s.Legacy)), warning is not null);
            Assert.Equal(latest != default && !Given(latest.Current), warning?.Contains("rename it", StringComparison.Ordinal) == true);
        }, fixedSeed: "0000address1", cases: 2_000, print: sources => string.Join(" | ", sources.Select(s => $"new={s.Current ?? "<unset>"} old={s.Legacy ?? "<unset>"}")));
    }

    private static Dictionary<string, string?> Settings(string? current, string? legacy)
    {
        var settings = new Dictionary<string, string?>();
        if (current is not null)
        {
            settings[Address.Key] = current;
        }

        if (legacy is not null)
        {
            settings[Address.LegacyKey] = legacy;
        }

        return settings;
    }

    private static IConfigurationRoot Sources(params Dictionary<string, string?>[] sources)
    {
        var builder = new ConfigurationBuilder();
        foreach (var settings in sources)
        {
            builder.AddInMemoryCollection(settings);
        }

        return builder.Build();
    }
}
